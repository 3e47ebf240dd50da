"""The one timestamp a build uses, so identical input gives byte-identical books.

Following reproducible-builds.org: ``SOURCE_DATE_EPOCH`` wins when set; otherwise the work's own
dates (last update, then first publication); otherwise a fixed instant. Never the clock.
"""

from __future__ import annotations

import os
from datetime import datetime, UTC

from bookmaker.errors import BookmakerError
from bookmaker.model import Metadata

FALLBACK = datetime(2000, 1, 1, tzinfo=UTC)


def build_timestamp(metadata: Metadata, source_date_epoch: str | None = None) -> datetime:
    """The build's timestamp in UTC (timezone-aware). ``source_date_epoch`` is the variable's
    value as the run found it (see source_date_epoch()), passed in rather than read here, so a
    worker on another machine builds with the value of the run that sent it the work."""
    from_environment = parse_source_date_epoch(source_date_epoch)
    if from_environment is not None:
        return from_environment
    for value in (metadata.updated, metadata.published):
        parsed = parse_iso_date(value)
        if parsed is not None:
            return parsed
    return FALLBACK


def source_date_epoch() -> str | None:
    """``SOURCE_DATE_EPOCH`` as this process sees it (None when unset or empty), checked."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip() or None
    parse_source_date_epoch(value)
    return value


def parse_source_date_epoch(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        # The spec asks tools to fail rather than silently build something unreproducible.
        raise BookmakerError(f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds since "
                             f"1970-01-01 (unset it or give an integer)") from None


def parse_iso_date(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime (naive means UTC); None if not one."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
