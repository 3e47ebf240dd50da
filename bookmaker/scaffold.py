"""``bookmaker new``: a manuscript to start from, with every header field explained."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

from bookmaker.errors import BookmakerError
from bookmaker.safety.files import atomic_write, slugify
from bookmaker.settings.resources import TEMPLATES

_TEMPLATES = TEMPLATES / "new"


def new_manuscript(title: str, folder: str | Path = "manuscripts") -> Path:
    """Write ``folder/<slug>.md`` for a new work titled ``title``; never overwrite a file."""
    title = " ".join(title.split())
    if not title:
        raise BookmakerError("the title is empty (give the work's title in quotes)")
    dest = Path(folder) / f"{slugify(title, fallback='untitled')}.md"
    if dest.exists():
        raise BookmakerError(f"{dest} already exists (choose another title, or edit that file)")
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES),
                                     keep_trailing_newline=True, autoescape=False)
    text = environment.get_template("manuscript.md.j2").render(
        # JSON strings are valid YAML scalars: any title, quotes and colons included, stays text.
        title_yaml=json.dumps(title, ensure_ascii=False), file_name=dest.name)
    atomic_write(dest, text.encode("utf-8"))
    return dest
