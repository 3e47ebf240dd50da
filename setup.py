"""The one build step pyproject.toml cannot say: the themes ship inside the package.

The repository keeps the themes at its top level (``styles/``: the design wants them visible and
editable beside the manuscripts); the wheel carries them as ``bookmaker/styles/``, where
``bookmaker.settings.resources`` finds them with importlib.resources. Everything else about the
package is declared in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

STYLES = Path(__file__).parent / "styles"


class BuildWithStyles(build_py):
    """build_py that also copies ``styles/`` to ``bookmaker/styles/`` in the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's styles/ where it is
        for path in sorted(STYLES.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                target = Path(self.build_lib) / "bookmaker" / "styles" / path.relative_to(STYLES)
                self.mkpath(str(target.parent))
                self.copy_file(str(path), str(target))


setup(cmdclass={"build_py": BuildWithStyles})
