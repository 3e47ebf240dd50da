"""What WeasyPrint may load while it lays out a book: ``data:`` URLs and files in allowed folders.

WeasyPrint fetches every URL it meets in HTML and CSS (images, stylesheets, fonts) and would
follow ``http://``, ``file:///etc/...`` and redirects. A manuscript comes from a stranger, and
although readers sanitise raw HTML and the pipeline drops unreadable images first, this fetcher is
the last line of defence: it opens no socket, follows no redirect, and reads a file only when
assets.is_inside says it lies in the manuscript's folder, the styles folder or the font folder.
"""

from __future__ import annotations

import mimetypes
import urllib.parse
import urllib.request
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from bookmaker.safety.assets import MAX_ASSET_BYTES, is_inside

class RefusedURL(ValueError):
    """A URL the book may not load; WeasyPrint logs it as a failed fetch and leaves it out."""


class FolderFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and files inside ``folders`` only."""

    def __init__(self, *folders: str | Path) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.folders = tuple(Path(folder).resolve() for folder in folders if folder)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """The resource at ``url``, read here rather than through urllib's handlers, which would
        also speak HTTP and FTP."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return _data_url(url)
        if scheme == "file":
            return self._file(url)
        return self._refuse(url, "only files in the book's folders are read, never the network")

    def _file(self, url: str) -> URLFetcherResponse:
        parts = urllib.parse.urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return self._refuse(url, "a file on another host")
        path = Path(urllib.request.url2pathname(parts.path))
        if not is_inside(path, *self.folders):
            return self._refuse(url, "outside the manuscript's folder")
        resolved = path.resolve()
        if not resolved.is_file() or resolved.stat().st_size > MAX_ASSET_BYTES:
            return self._refuse(url, "not a readable file of a sensible size")
        media_type = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
        return URLFetcherResponse(resolved.as_uri(), resolved.read_bytes(),
                                  {"Content-Type": media_type})

    def _refuse(self, url: str, why: str) -> URLFetcherResponse:
        self.refused.append(url)
        raise RefusedURL(f"{url[:200]}: refused ({why})")


def _data_url(url: str) -> URLFetcherResponse:
    """A ``data:`` URL decoded by urllib's own handler, which never touches a file or socket."""
    with urllib.request.DataHandler().data_open(urllib.request.Request(url)) as response:
        return URLFetcherResponse(url, response.read(), dict(response.headers))
