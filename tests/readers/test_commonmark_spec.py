"""Every example of the CommonMark specification becomes part of a valid book.

The spec's examples are the nastiest ordinary Markdown there is (raw HTML of every kind, odd links,
entities, nested containers). Each section of the spec is built as one manuscript; conftest.py then
validates every book with EPUBCheck, so any construct that makes invalid XHTML fails here.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from bookmaker.settings.options import BuildOptions
from bookmaker.convert import build

SPEC = json.loads((Path(__file__).parent.parent / "data" / "commonmark" / "spec-0.31.2.json")
                  .read_text(encoding="utf-8"))
SECTIONS = {section: list(examples)
            for section, examples in itertools.groupby(SPEC, key=lambda e: e["section"])}


def manuscript(section: str, examples: list[dict]) -> str:
    # A paragraph between examples ends whatever an example left open (a list, a quote...),
    # so each example is read as its own piece of Markdown as far as CommonMark allows.
    parts = [f"---\ntitle: \"CommonMark: {section}\"\n---\n"]
    for example in examples:
        parts.append(f"Example {example['example']}.\n\n{example['markdown']}\n\n")
    return "".join(parts)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    source = tmp_path_factory.mktemp("commonmark-src")
    for number, (section, examples) in enumerate(SECTIONS.items(), start=1):
        (source / f"{number:02d}.md").write_text(manuscript(section, examples), encoding="utf-8")
    return build(sorted(source.iterdir()), ["epub"], tmp_path_factory.mktemp("commonmark-out"),
                 BuildOptions())


def test_every_section_of_the_spec_builds(built):
    assert len(built) == len(SECTIONS) == 26
    failed = [(r.source.name, r.error) for r in built if r.error]
    assert failed == []
    assert all(r.outputs[0].stat().st_size > 0 for r in built)
