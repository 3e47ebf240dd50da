"""The Jinja environment every writer renders its pages with (EPUB, print, zine guide).

One environment per process, template folder and theme: compiling templates per book would cost
more than rendering them. A theme's folder comes first, so it may replace any template by name.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from bookmaker.errors import BookmakerError
from bookmaker.safety.xml import clean_text
from bookmaker.settings.resources import TEMPLATES


@functools.cache
def environment(kind: str, theme_folder: Path | None = None) -> SandboxedEnvironment:
    """The environment for ``templates/<kind>/`` (epub, print, zine), behind ``theme_folder``."""
    folders = [theme_folder, TEMPLATES / kind] if theme_folder else [TEMPLATES / kind]
    # Sandboxed always: a theme may come from anywhere (a folder named in a bookmaker.toml that
    # came with an archive), and a template must not reach Python (``lipsum.__globals__``...).
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(folders), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, finalize=_xml_safe, auto_reload=False)


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
