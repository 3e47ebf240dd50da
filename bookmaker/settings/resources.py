"""Where the package's own files are: the themes (``styles/``) and the templates.

The one place these paths are worked out; everything else imports them from here. An installed
wheel carries the themes inside the package (``bookmaker/styles/``, put there by setup.py's build
step); a checkout or an editable install has them in the repository's top-level ``styles/``.
Both are found through importlib.resources, so the package never guesses at its install layout.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

# The package is installed as plain files (a wheel unpacked, or a checkout), never zipped: the
# writers hand these folders to WeasyPrint and Jinja as paths.
_PACKAGE_ROOT = files("bookmaker")
with as_file(_PACKAGE_ROOT) as _root:
    PACKAGE = Path(_root).resolve()

TEMPLATES = PACKAGE / "templates"


def _styles() -> Path:
    packaged = PACKAGE / "styles"
    if packaged.is_dir():
        return packaged
    return PACKAGE.parent / "styles"  # a checkout: the repository's top-level styles/


STYLES = _styles()
