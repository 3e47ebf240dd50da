"""Themes: a folder with theme.toml (name, description, fonts, cover colours), epub.css and
print.css, found by name under styles/ or by the path of a writer's own folder.

A theme of one's own may hold only the files it changes: any template (``chapter.xhtml.j2``,
``title.html.j2``...) or stylesheet found in it by file name wins over the package's, and whatever
it lacks comes from the default theme. Its folder is trusted configuration, like bookmaker.toml;
the manuscript's own files still go through assets.py's policy.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bookmaker.errors import BookmakerError
from bookmaker.settings.resources import STYLES
DEFAULT_THEME = "default"
THEME_FILE = "theme.toml"
FONT_STYLES = (("regular", 400, "normal"), ("italic", 400, "italic"),
               ("bold", 700, "normal"), ("bold_italic", 700, "italic"))


@dataclass(frozen=True)
class Theme:
    name: str
    folder: Path
    description: str
    fonts: dict[str, str]  # family, package (optional), and a file per FONT_STYLES name
    cover: dict[str, str]  # background, ink, accent, ornament
    extends_default: bool = False  # theme.toml's `extends = "default"`

    def stylesheets(self, file_name: str) -> list[Path]:
        """The stylesheets ``epub.css`` or ``print.css`` is made of, in cascade order.

        A theme that extends the default holds only what it changes, laid over the default's
        sheet; any other theme's sheet replaces the default's (or is the default's when it has
        none), so a writer's own folder overrides a stylesheet by its file name.
        """
        default = STYLES / DEFAULT_THEME / file_name
        own = self.folder / file_name
        if not own.is_file() or own == default:
            return [default]
        return [default, own] if self.extends_default else [own]

    @property
    def font_folder(self) -> Path | None:
        """The PyPI font package's folder, or None for a system font (found by fontconfig)."""
        package = self.fonts.get("package")
        if not package:
            return None
        _check_font_package(package)
        return Path(importlib.import_module(package).font_directory)

    def font_file(self, style: str = "regular") -> str:
        """A font file for Pillow: a path in the font package, or a system font's file name
        (Pillow looks those up in the system's font folders)."""
        name = self.fonts.get(style) or self.fonts["regular"]
        folder = self.font_folder
        return str(folder / name) if folder else name

    def font_face_css(self) -> str:
        """@font-face rules for a packaged face (a system face needs none: fontconfig has it)."""
        folder = self.font_folder
        if folder is None:
            return ""
        return "".join(
            f'@font-face {{ font-family: "{self.fonts["family"]}"; '
            f'src: url("{(folder / self.fonts[style]).as_uri()}"); '
            f"font-weight: {weight}; font-style: {slant}; }}\n"
            for style, weight, slant in FONT_STYLES if self.fonts.get(style))

    @property
    def allowed_folders(self) -> tuple[Path, ...]:
        """What the PDF's URL fetcher may read for this theme: its folder and its fonts."""
        return tuple(folder for folder in (self.folder, self.font_folder) if folder)


@functools.cache
def _check_font_package(package: str) -> None:
    """Import ``package`` only when it is a package folder holding font files: a theme.toml may
    come from anywhere, and importing an arbitrary module runs its code."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(package) if re.fullmatch(r"[A-Za-z_][\w.]*", package) \
            else None
    except (ImportError, ValueError):
        spec = None
    folders = list(spec.submodule_search_locations or []) if spec else []
    if not any(font.suffix.lower() in (".ttf", ".otf", ".woff", ".woff2")
               for folder in folders for font in Path(folder).rglob("*")):
        raise BookmakerError(f"theme font package {package!r} is not an installed font package "
                             "(a package folder with .ttf, .otf or .woff files)")


def find_theme(style: str) -> Theme:
    """The theme ``style`` names: a folder under styles/, or the path of a theme folder."""
    path = Path(style)  # never ~-expanded: the shell does that for a command line
    if ("/" in style or "\\" in style or style.startswith(".")) or \
            (path.is_dir() and not (STYLES / style).is_dir()):
        if not path.is_dir():
            raise BookmakerError(f"theme folder {style} does not exist "
                                 "(give a theme name or the path of a folder)")
        return _load(path.resolve())
    if not (STYLES / style / THEME_FILE).is_file():
        names = theme_names()
        close = difflib.get_close_matches(style, names, n=1, cutoff=0.5)
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise BookmakerError(f"unknown theme {style!r} ({guess}themes: {', '.join(names)}; "
                             "or give the path of a theme folder of your own)")
    return _load(STYLES / style)


def theme_names() -> list[str]:
    return sorted(p.parent.name for p in STYLES.glob(f"*/{THEME_FILE}"))


def list_themes() -> list[Theme]:
    """Every theme that ships with bookmaker, by name."""
    return [_load(STYLES / name) for name in theme_names()]


def _load(folder: Path) -> Theme:
    """A theme from its folder; a theme of one's own inherits what its theme.toml leaves out
    (or everything, when it has none) from the default theme."""
    settings = _read(STYLES / DEFAULT_THEME / THEME_FILE)
    if folder != STYLES / DEFAULT_THEME and (folder / THEME_FILE).is_file():
        own = _read(folder / THEME_FILE)
        fonts = own.get("fonts") or settings["fonts"]  # a face is replaced whole, never mixed
        settings = {**settings, **own, "fonts": fonts,
                    "cover": {**settings["cover"], **own.get("cover", {})}}
    if folder != STYLES / DEFAULT_THEME and not (folder / THEME_FILE).is_file():
        settings = {**settings, "name": folder.name, "description": "a theme of your own"}
    return Theme(str(settings.get("name", folder.name)), folder,
                 str(settings.get("description", "")), dict(settings["fonts"]),
                 dict(settings["cover"]), settings.get("extends") == DEFAULT_THEME)


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BookmakerError(f"{path}: not a readable theme file ({error})") from None
