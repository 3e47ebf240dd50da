"""The preview's web server: the page, the book's documents, the print view's pages, and one
stream of server-sent events telling every open page of each new snapshot.

The standard library's threading HTTP server, not an ASGI stack: the work behind a request (a
print layout, a build) is synchronous Python that an async server would hand to threads anyway,
the page needs a handful of routes and one event stream, and stopping must be prompt, where
uvicorn waits for open event streams to end before it exits. Each request has a daemon thread,
so an open stream never holds the process at Ctrl-C.

Only what a snapshot holds is served, by the names the book gives it: no request reaches the
file system. A request naming a host other than an IP address or ``localhost`` is refused, so a
web page elsewhere cannot read the preview through DNS rebinding, and the one request that
changes anything (the theme) must be JSON, which a cross-site form cannot send.
"""

from __future__ import annotations

import ipaddress
import json
import queue
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any

from bookmaker.errors import BookmakerError
from bookmaker.preview.build import PreviewBuilder, Snapshot
from bookmaker.preview.printview import PrintView

ASSETS = files("bookmaker.preview") / "assets"
ASSET_TYPES = {"index.html": "text/html; charset=utf-8",
               "preview.js": "text/javascript; charset=utf-8",
               "preview.css": "text/css; charset=utf-8"}
READER_FONTS = frozenset(f"SourceSerifPro-{style}.ttf"
                         for style in ("Regular", "It", "Bold", "BoldIt"))
KEEPALIVE = 15.0  # seconds between comments on an idle event stream, so proxies keep it open
INLINE_BYTES = 512 * 1024  # changed documents sent with the news, at most (a chapter is 20 KB)
MAX_BODY = 4096  # bytes a request to change the theme may carry


class Events:
    """Every open event stream's queue: a new snapshot is put on each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: list[queue.Queue[Snapshot | None]] = []

    def open(self) -> queue.Queue[Snapshot | None]:
        stream: queue.Queue[Snapshot | None] = queue.Queue()
        with self._lock:
            self._streams.append(stream)
        return stream

    def close(self, stream: queue.Queue[Snapshot | None]) -> None:
        with self._lock:
            self._streams.remove(stream)

    def publish(self, snapshot: Snapshot | None) -> None:
        """Tell every stream of ``snapshot``; None ends them (the server is stopping)."""
        with self._lock:
            for stream in self._streams:
                stream.put(snapshot)


def _changed_contents(snapshot: Snapshot, sent: dict[str, str]) -> dict[str, str]:
    """The documents changed since the page was last told, by digest, when they are few: sent
    with the news, they save the page a request while the server is busiest (the whole build
    and the print layout start as the news goes out)."""
    changed = [document for document in snapshot.documents
               if sent.get(document.href, document.digest) != document.digest]
    if not changed or sum(len(document.content) for document in changed) > INLINE_BYTES:
        return {}
    return {document.digest: document.content.decode("utf-8") for document in changed}


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never keeps the process alive
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], builder: PreviewBuilder, events: Events,
                 print_view: PrintView) -> None:
        super().__init__(address, PreviewHandler)
        self.builder = builder
        self.events = events
        self.print_view = print_view


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: the terminal shows the build's news, not every fetch."""

    # ------------------------------------------------------------------ routes

    def do_GET(self) -> None:
        if not self._host_allowed():
            return
        path = urllib.parse.urlsplit(self.path).path
        if path == "/":
            self._asset("index.html")
        elif path.startswith("/assets/"):
            self._asset(path.removeprefix("/assets/"))
        elif path == "/events":
            self._event_stream()
        elif path.startswith("/book/"):
            self._book_file(urllib.parse.unquote(path.removeprefix("/book/")))
        elif path.startswith("/print/") and path.endswith(".json"):
            self._print_pages(urllib.parse.unquote(path[len("/print/"):-len(".json")]))
        elif path.startswith("/fonts/"):
            self._font(path.removeprefix("/fonts/"))
        elif path.startswith("/print-page/"):
            self._print_image(path.removeprefix("/print-page/"))
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    def do_POST(self) -> None:
        if not self._host_allowed():
            return
        path = urllib.parse.urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        if path != "/theme" or not 0 < length <= MAX_BODY or \
                self.headers.get_content_type() != "application/json":
            self._send(HTTPStatus.BAD_REQUEST, b"bad request\n", "text/plain")
            return
        try:
            name = json.loads(self.rfile.read(length)).get("theme")
        except (ValueError, AttributeError):
            name = None
        chosen = isinstance(name, str) and self.server.builder.choose_theme(name)
        self._json({"theme": name, "chosen": bool(chosen)},
                   HTTPStatus.OK if chosen else HTTPStatus.BAD_REQUEST)

    # ------------------------------------------------------------------ answers

    def _asset(self, name: str) -> None:
        if name not in ASSET_TYPES:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            return
        self._send(HTTPStatus.OK, (ASSETS / name).read_bytes(), ASSET_TYPES[name])

    def _font(self, name: str) -> None:
        """The book face (the PDF's), so the e-reader and phone read in a real book face
        rather than whatever serif the browser has."""
        from bookmaker.writers.pdf.fonts import FONT_FOLDER

        if name not in READER_FONTS:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            return
        self._send(HTTPStatus.OK, (FONT_FOLDER / name).read_bytes(), "font/ttf",
                   cache="max-age=86400")

    def _book_file(self, href: str) -> None:
        snapshot = self.server.builder.snapshot
        document = snapshot.document(href)
        if document is not None:
            self._send(HTTPStatus.OK, document.content, "application/xhtml+xml; charset=utf-8")
        elif href in snapshot.files:
            found = snapshot.files[href]
            self._send(HTTPStatus.OK, found.content, found.media_type)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not in the book\n", "text/plain")

    def _print_pages(self, href: str) -> None:
        snapshot = self.server.builder.snapshot
        try:
            pages = self.server.print_view.pages(snapshot, href)
        except BookmakerError as error:
            self._json({"error": str(error)})
            return
        document = snapshot.document(href)
        self._json({"href": href, "digest": document.digest if document else "",
                    "note": pages.note, "first": pages.first,
                    "pages": [{"src": f"/print-page/{pages.key}/{number}.png",
                               "width": width, "height": height}
                              for number, (width, height) in enumerate(pages.sizes)]})

    def _print_image(self, rest: str) -> None:
        key, _, name = rest.partition("/")
        number = name.removesuffix(".png")
        image = self.server.print_view.image(key, int(number)) if number.isdigit() else None
        if image is None:
            self._send(HTTPStatus.NOT_FOUND, b"no such page\n", "text/plain")
        else:
            # Named by the laid-out HTML's digest: the same name is always the same page.
            self._send(HTTPStatus.OK, image, "image/png", cache="max-age=86400, immutable")

    def _event_stream(self) -> None:
        """Server-sent events: the current snapshot at once (so a page that connects, or
        reconnects, is never behind), then each new one as it is made."""
        stream = self.server.events.open()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            snapshot: Snapshot | None = self.server.builder.snapshot
            sent: dict[str, str] = {}  # href -> the digest this page was told of
            while snapshot is not None:
                state = snapshot.state()
                state["contents"] = _changed_contents(snapshot, sent)
                sent = {document.href: document.digest for document in snapshot.documents}
                data = json.dumps(state, ensure_ascii=False)
                self.wfile.write(f"event: book\ndata: {data}\n\n".encode())
                self.wfile.flush()
                snapshot = self._next(stream)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away
        finally:
            self.server.events.close(stream)

    def _next(self, stream: queue.Queue[Snapshot | None]) -> Snapshot | None:
        """The next snapshot; an idle stream gets a comment now and then (and so notices a
        page that went away)."""
        while True:
            try:
                return stream.get(timeout=KEEPALIVE)
            except queue.Empty:
                self.wfile.write(b": still here\n\n")
                self.wfile.flush()

    # ------------------------------------------------------------------ plumbing

    def _host_allowed(self) -> bool:
        """True for a request to an IP address or localhost (by any port)."""
        host = urllib.parse.urlsplit("//" + (self.headers.get("Host") or "")).hostname or ""
        try:
            ipaddress.ip_address(host)
            return True
        except ValueError:
            if host == "localhost":
                return True
        self._send(HTTPStatus.MISDIRECTED_REQUEST,
                   b"open the preview by its address (127.0.0.1 or this machine's IP)\n",
                   "text/plain")
        return False

    def _json(self, value: object, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False).encode(),
                   "application/json; charset=utf-8")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str,
              cache: str = "no-store") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", cache)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
