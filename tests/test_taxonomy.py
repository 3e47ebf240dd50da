"""AO3's vocabularies and the aliases fics use for them."""

import pytest

from bookmaker import taxonomy as t


@pytest.mark.parametrize("raw, canonical", [
    ("Character Death", "Major Character Death"),
    ("violence", "Graphic Depictions Of Violence"),
    ("Underage", "Underage Sex"),
    ("Choose Not To Use Archive Warnings", "Creator Chose Not To Use Archive Warnings"),
    ("  no archive warnings   apply ", "No Archive Warnings Apply"),
    ("Rape/Non-Con", "Rape/Non-Con"),
])
def test_warning_aliases_map_to_todays_names(raw, canonical):
    assert t.canonical_warning(raw) == canonical


def test_every_canonical_name_maps_to_itself():
    for name in t.ARCHIVE_WARNINGS:
        assert t.canonical_warning(name) == name
    for name in t.RATINGS:
        assert t.canonical_rating(name) == name
    for name in t.CATEGORIES:
        assert t.canonical_category(name) == name


def test_split_keeps_free_text_warnings_verbatim_and_in_order():
    archive, notes = t.split_warnings(["Character Death", "Gore", "Violence", "gore", "Gore"])
    assert archive == ("Major Character Death", "Graphic Depictions Of Violence")
    assert notes == ("Gore", "gore")


@pytest.mark.parametrize("raw, suggestion", [
    ("Mature Audiences", "Mature"),
    ("Teen and Up", "Teen And Up Audiences"),
    ("Explict", "Explicit"),
    ("General Audience", "General Audiences"),
])
def test_unknown_ratings_get_a_suggestion(raw, suggestion):
    assert t.canonical_rating(raw) is None or raw == "Teen and Up"
    assert t.suggest_rating(raw) == suggestion


def test_nonsense_gets_no_suggestion():
    assert t.suggest_rating("banana bread") is None
