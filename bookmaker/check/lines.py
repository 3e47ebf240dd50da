"""Line numbers of positions in one document, counted once.

Counting the line ends from the start of the document for every finding costs the length of the
document per finding: a page of 500,000 ``<i/>`` took minutes. ``LineIndex`` remembers where it
last counted to, so positions asked in order (as a scan of the document finds them) cost one pass
over the document in all, with no table of line starts (a 128 MB page of blank lines would make
one of a billion entries).
"""

from __future__ import annotations


class LineIndex:
    """Line numbers in ``data``, for positions asked in any order (cheapest in order)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._position = 0  # where the count stands
        self._line = 1  # the line of ``_position``

    def line_of(self, position: int) -> int:
        """The line (from 1) holding the byte at ``position``."""
        if position >= self._position:
            self._line += self._data.count(b"\n", self._position, position)
        else:
            self._line -= self._data.count(b"\n", position, self._position)
        self._position = position
        return self._line
