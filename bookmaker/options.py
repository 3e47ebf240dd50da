"""Build options shared by every writer; the command line and bookmaker.toml both fill one in."""

from __future__ import annotations

from dataclasses import dataclass

WARNINGS_PLACEMENTS = ("front", "end", "omit")
PAPERS = ("a5", "a4", "letter", "half-letter", "5x8", "6x9")  # the PDF's page sizes


@dataclass(frozen=True)
class BuildOptions:
    warnings: str = "front"  # where the warnings page goes: front, end or omit
    style: str = "default"  # a theme folder name under styles/
    paper: str = "a5"  # the PDF's page size, one of PAPERS
    drop_caps: bool = False  # a drop cap at each chapter's opening in the PDF
    workers: int | None = None  # processes laying out a long PDF; None: one per core

    def __post_init__(self) -> None:
        if self.warnings not in WARNINGS_PLACEMENTS:
            raise ValueError(f"warnings must be one of {', '.join(WARNINGS_PLACEMENTS)}")
        if self.paper not in PAPERS:
            raise ValueError(f"paper must be one of {', '.join(PAPERS)}")
        if self.workers is not None and self.workers < 1:
            raise ValueError("workers must be 1 or more")
