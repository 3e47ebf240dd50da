"""Build options shared by every writer; the command line and bookmaker.toml both fill one in."""

from __future__ import annotations

from dataclasses import dataclass

WARNINGS_PLACEMENTS = ("front", "end", "omit")
PAPERS = ("a5", "a4", "letter", "half-letter", "5x8", "6x9")  # the PDF's page sizes
SHEETS = ("a4", "a3", "letter", "tabloid")  # zine sheet sizes (landscape)
FLIPS = ("short", "long")  # which edge a duplex printer flips the zine's sheets on
_LENGTH_UNITS = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}


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

    def __post_init__(self) -> None:
        if self.warnings not in WARNINGS_PLACEMENTS:
            raise ValueError(f"warnings must be one of {', '.join(WARNINGS_PLACEMENTS)}")
        if self.paper not in PAPERS:
            raise ValueError(f"paper must be one of {', '.join(PAPERS)}")
        if self.workers is not None and self.workers < 1:
            raise ValueError("workers must be 1 or more")
        if self.flip not in FLIPS:
            raise ValueError(f"flip must be one of {', '.join(FLIPS)}")
        if self.sheet is not None and self.sheet not in SHEETS:
            raise ValueError(f"sheet must be one of {', '.join(SHEETS)}")
        if self.signature is not None and (self.signature < 4 or self.signature % 4):
            raise ValueError("signature must be a multiple of 4 pages (4, 8, 12...)")
        if not 0 <= self.creep <= 5:
            raise ValueError("creep must be between 0mm and 5mm per sheet")


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
