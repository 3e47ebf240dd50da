"""The render context: what every writer of a run shares, resolved once per run.

``render_context`` finds the theme (an unknown name fails here, once, with suggestions), reads and
checks the writer's own cover image, and captures ``SOURCE_DATE_EPOCH`` as the run sees it. The
result is plain data: a batch sends it as it is to its worker processes or to Dask workers on other
machines, so they build exactly the books a local build would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bookmaker.model import EmbeddedFile, Metadata
from bookmaker.settings.options import BuildOptions
from bookmaker.settings.themes import Theme, find_theme
from bookmaker.settings.timestamps import build_timestamp, source_date_epoch


@dataclass(frozen=True)
class RenderContext:
    options: BuildOptions = field(default_factory=BuildOptions)
    theme: Theme = field(default_factory=lambda: find_theme(BuildOptions().style))
    source_date_epoch: str | None = None  # the variable as the run found it; None: unset
    cover: EmbeddedFile | None = None  # the writer's --cover image, read and checked once

    def timestamp(self, metadata: Metadata) -> datetime:
        """The one timestamp the book's files and metadata carry (see settings/timestamps.py)."""
        return build_timestamp(metadata, self.source_date_epoch)


def render_context(options: BuildOptions | None = None) -> RenderContext:
    """The context for a run with ``options``: theme found, cover read, timestamp setting taken
    from this process's environment. Raises BookmakerError (or ManuscriptError for the cover)."""
    from bookmaker.safety.assets import cover_file

    options = options or BuildOptions()
    return RenderContext(options, find_theme(options.style), source_date_epoch(),
                         cover_file(options.cover) if options.cover else None)
