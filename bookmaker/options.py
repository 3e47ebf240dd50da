"""Build options shared by every writer; the command line and bookmaker.toml both fill one in."""

from __future__ import annotations

from dataclasses import dataclass

WARNINGS_PLACEMENTS = ("front", "end", "omit")


@dataclass(frozen=True)
class BuildOptions:
    warnings: str = "front"  # where the warnings page goes: front, end or omit
    style: str = "default"  # a theme folder name under styles/

    def __post_init__(self) -> None:
        if self.warnings not in WARNINGS_PLACEMENTS:
            raise ValueError(f"warnings must be one of {', '.join(WARNINGS_PLACEMENTS)}")
