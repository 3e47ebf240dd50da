"""Anthology folders for tests, laid out as a user would: the checked-in anthology.yaml and the
manuscript under tests/data/anthology/, beside real works (the seed story, AO3 downloads)."""

from __future__ import annotations

import shutil
from pathlib import Path

from paths import DATA, SEED

ANTHOLOGY = DATA / "anthology"
AO3 = DATA / "ao3html"


def rain_folder(dest: Path) -> Path:
    """The "Rain Stories" anthology folder at ``dest``; returns its anthology.yaml."""
    works = dest / "works"
    (works / "ao3").mkdir(parents=True)
    shutil.copy(SEED, works / "a-new-hero.txt")
    shutil.copy(AO3 / "multi-chapter-2024" / "input.html", works / "ao3" / "long-way-round.html")
    shutil.copy(AO3 / "single-chapter-2021" / "input.html", works / "ao3" / "small-hours.html")
    shutil.copy(ANTHOLOGY / "rain" / "late.md", works / "late.md")
    shutil.copy(ANTHOLOGY / "rain" / "anthology.yaml", dest / "anthology.yaml")
    return dest / "anthology.yaml"
