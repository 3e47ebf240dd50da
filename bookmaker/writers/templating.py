"""The Jinja environment every writer renders its pages with (EPUB, print, zine guide).

One environment per process, template folder and theme: compiling templates per book would cost
more than rendering them. Compiled templates are also kept between runs, in the user's private
cache (safety/cache.py), each under the template's name and file and checked against a digest
of its source: compiling the EPUB's templates was a tenth of a short book's build. A theme's
folder comes first, so it may replace any template by name.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from bookmaker.errors import BookmakerError
from bookmaker.safety.cache import cache_folder
from bookmaker.safety.xml import clean_text
from bookmaker.settings.resources import TEMPLATES


@functools.cache
def environment(kind: str, theme_folder: Path | None = None) -> SandboxedEnvironment:
    """The environment for ``templates/<kind>/`` (epub, print, zine), behind ``theme_folder``."""
    folders = [theme_folder, TEMPLATES / kind] if theme_folder else [TEMPLATES / kind]
    # Sandboxed always: a theme may come from anywhere (a folder named in a bookmaker.toml that
    # came with an archive), and a template must not reach Python (``lipsum.__globals__``...).
    return SandboxedEnvironment(loader=jinja2.FileSystemLoader(folders), **_OPTIONS,
                                bytecode_cache=_bytecode_cache())


class _BestEffortCache(jinja2.FileSystemBytecodeCache):
    """Jinja's bytecode cache, where an entry that cannot be read or written (a full disk, a
    folder made read-only, a damaged entry) is compiled afresh rather than failing the build.
    An entry is code (and Jinja reads its checksum with pickle): only a folder nobody else can
    write to is ever used (safety/cache.py)."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # whatever a damaged entry raises (pickle's, marshal's): compile again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # not kept this time; compiled again next run
            super().dump_bytecode(bucket)


@functools.cache
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """The compiled templates' cache, or None (compiled in every run) when the user has none.
    Jinja's own version names the entries: code compiled by one version is never run by
    another (Python's version is in each entry already)."""
    folder = cache_folder("templates")
    if folder is None:
        return None
    # The options shape the compiled code, so entries of other options are never used.
    options = hashlib.sha256(repr(sorted((name, value) for name, value in _OPTIONS.items()
                                         if name != "finalize")).encode()).hexdigest()[:12]
    return _BestEffortCache(str(folder), f"jinja-{jinja2.__version__}-{options}-%s.cache")


def render(kind: str, template: str, theme_folder: Path | None = None, **context: object) -> str:
    try:
        return environment(kind, theme_folder).get_template(template).render(**context)
    except jinja2.exceptions.SecurityError as error:
        raise BookmakerError(f"theme template {template!r} in {theme_folder} tried to reach "
                             f"outside its sandbox ({str(error)[:200]}); it is not used "
                             "(a theme may only lay out the book)") from None
    except jinja2.TemplateError as error:
        raise BookmakerError(f"theme template {template!r} cannot be rendered: "
                             f"{str(error)[:200]} (fix the template in {theme_folder or kind})"
                             ) from None


def _xml_safe(value: object) -> object:
    """Metadata strings may hold characters XML cannot carry; finished markup is already safe."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean_text(value)
    return value


# Every environment's options (after _xml_safe, which one of them names).
_OPTIONS: dict = {"autoescape": True, "undefined": jinja2.StrictUndefined, "trim_blocks": True,
                  "lstrip_blocks": True, "keep_trailing_newline": True, "finalize": _xml_safe,
                  "auto_reload": False}
