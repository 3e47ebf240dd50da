"""Build options shared by every writer; the command line and bookmaker.toml both fill one in."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

WARNINGS_PLACEMENTS = ("front", "end", "omit")
PAPERS = ("a5", "a4", "letter", "half-letter", "5x8", "6x9")  # the PDF's page sizes
SHEETS = ("a4", "a3", "letter", "tabloid")  # zine sheet sizes (landscape)
FLIPS = ("short", "long")  # which edge a duplex printer flips the zine's sheets on
_LENGTH_UNITS = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
# The options whose value is one of a list: checked here, and only here, wherever they are set.
CHOICES: dict[str, tuple[str, ...]] = {
    "warnings": WARNINGS_PLACEMENTS, "paper": PAPERS, "flip": FLIPS, "sheet": SHEETS}


def canonical_choice(name: str, value: str) -> str:
    """``value`` as ``name``'s choices spell it: paper and sheet names are written ``A4`` as
    often as ``a4``, so a choice matches whatever its case; anything else is returned as given."""
    if not isinstance(value, str):
        return value
    return next((choice for choice in CHOICES[name] if choice == value.strip().lower()), value)


def check_choice(name: str, value: str) -> None:
    """A ValueError saying what ``name`` may be (and what was probably meant) when ``value`` is
    not one of its choices."""
    hint = choice_hint(name, value)
    if hint is not None:
        raise ValueError(f"{name} must be one of {', '.join(CHOICES[name])}, not {value!r} "
                         f"({hint})")


def choice_hint(name: str, value: str) -> str | None:
    """None when ``value`` is one of ``name``'s choices; else what to write instead."""
    choices = CHOICES[name]
    if canonical_choice(name, value) in choices:
        return None
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}?" if close else "choose one of " + ", ".join(choices)


@dataclass(frozen=True)
class BuildOptions:
    warnings: str = "front"  # where the warnings page goes: front, end or omit
    style: str = "default"  # a theme: a folder name under styles/ or the path of one's own
    paper: str = "a5"  # the PDF's page size, one of PAPERS
    drop_caps: bool = False  # a drop cap at each chapter's opening in the PDF
    workers: int | None = None  # processes laying out a long PDF; None: one per core
    flip: str = "short"  # zine: the duplex flip edge, one of FLIPS
    sheet: str | None = None  # zine: sheet size, one of SHEETS; None: two pages of the paper
    signature: int | None = None  # zine: pages per folded signature; None: one signature
    creep: float = 0.0  # zine: millimetres each inner sheet's pages move towards the spine
    marks: bool = False  # zine: fold and crop marks
    guide: bool = True  # zine: a printing guide as the last sheet
    generated_cover: bool = True  # a typographic cover for a book that has no cover image
    cover: str | None = None  # --cover: the writer's own cover image, for every book built
    # For binders (fanbinding): one PDF per signature, blank leaves front and back, and a long
    # book split into volumes (at work or chapter boundaries).
    split_signatures: bool = False  # zine: also one imposed PDF per signature
    flyleaves: int = 0  # zine: blank leaves (2 pages each) before and after the book
    volumes: int | None = None  # split into this many volumes, each a complete book
    max_pages: int | None = None  # split into volumes of at most this many pages

    def __post_init__(self) -> None:
        for name in CHOICES:
            value = getattr(self, name)
            if value is not None:
                check_choice(name, value)
                # frozen: the one place a value is rewritten, to the spelling the writers know
                object.__setattr__(self, name, canonical_choice(name, value))
        if self.workers is not None and self.workers < 1:
            raise ValueError("workers must be 1 or more")
        if self.signature is not None and (self.signature < 4 or self.signature % 4):
            raise ValueError("signature must be a multiple of 4 pages (4, 8, 12...)")
        if not 0 <= self.creep <= 5:
            raise ValueError("creep must be between 0mm and 5mm per sheet")
        if not 0 <= self.flyleaves <= 10:
            raise ValueError("flyleaves must be between 0 and 10 leaves")
        if self.volumes is not None and not 1 <= self.volumes <= 50:
            raise ValueError("volumes must be between 1 and 50")
        if self.max_pages is not None and self.max_pages < 16:
            raise ValueError("max-pages must be 16 or more (a volume needs room for its own "
                             "title page and contents)")
        if self.volumes is not None and self.max_pages is not None:
            raise ValueError("give either volumes or max-pages, not both")


def parse_length(text: str) -> float:
    """A length such as ``0.2mm``, ``0.01in`` or ``0.5pt`` in millimetres (a bare number is
    millimetres), so creep can be given in the units a printer's spec sheet uses."""
    value = text.strip().lower()
    unit = next((u for u in _LENGTH_UNITS if value.endswith(u)), "")
    try:
        number = float(value[:len(value) - len(unit)])
    except ValueError:
        raise ValueError(f"{text!r} is not a length (write it like 0.2mm, 0.01in or 0.5pt)") \
            from None
    return number * _LENGTH_UNITS.get(unit, 1.0)
