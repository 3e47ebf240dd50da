"""``bookmaker preview``: the book as a phone, a 6-inch e-reader and the printed page show it,
in a browser, updated in the running process on every save.

The parts, each in its module:

- ``build.py``: the book kept up to date: the one chapter a save changed rendered at once, then
  the whole book exactly as ``bookmaker build`` makes it;
- ``chunks.py``: a Markdown manuscript cut into chapters as text, to tell which one changed;
- ``printview.py``: the printed pages of the chapter on screen, laid out by the PDF writer;
- ``watcher.py``: the files a build depends on, watched as ``bookmaker watch`` watches them;
- ``server.py`` and ``assets/``: the web page, the book's files and the event stream.

Nothing here is imported unless ``preview`` runs, and nothing is written anywhere: the book lives
in memory, so stopping leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from bookmaker.errors import BookmakerError
from bookmaker.preview.build import PreviewBuilder, Snapshot
from bookmaker.preview.printview import PrintView
from bookmaker.preview.server import Events, PreviewServer
from bookmaker.preview.watcher import Watcher
from bookmaker.terminal import printable, printable_name
from bookmaker.convert import settings_at

Echo = Callable[[str], None]


def preview(path: str | Path, host: str = "127.0.0.1", port: int = 8000,
            style: str | None = None, echo: Echo = print,
            given: Mapping[str, object] | None = None) -> None:
    """Serve the preview of the manuscript at ``path`` on ``host``:``port`` (0: any free port)
    until interrupted; the URL is echoed once the page can be opened.

    A manuscript that does not exist, or settings no build could use, raise BookmakerError at
    once; once running, every mistake is shown in the page and the preview goes on. ``given``:
    the other settings the command line gave (the budget: each build within ``timeout``, the
    process within ``memory_limit``).
    """
    path = Path(path)
    if not path.is_file():
        raise BookmakerError(f"{printable_name(str(path))}: no such manuscript (give the file "
                             "you are writing)")
    run, _, _ = settings_at(path, {**(given or {}), "style": style})
    with run.budget.process(), _scratch():
        _serve(path, host, port, style, echo, given or {}, run.timeout)


def _serve(path: Path, host: str, port: int, style: str | None, echo: Echo,
           given: Mapping[str, object], seconds: float | None) -> None:
    events = Events()
    news = _News(echo)

    def publish(snapshot: Snapshot) -> None:
        events.publish(snapshot)
        news(snapshot)

    print_view = PrintView(str(path), seconds)
    builder = PreviewBuilder(path, style, publish, print_view.lay_out_shown, given)
    builder.start()
    try:
        server = PreviewServer((host, port), builder, events, print_view)
    except OSError as error:
        raise BookmakerError(f"cannot listen on {host}:{port}: {error.strerror} (give another "
                             "--port, or 0 for any free one)") from None
    watcher = Watcher(path, style, builder.saved)
    try:
        watcher.start()
        echo(f"previewing {printable_name(str(path))} at {_url(host, server.server_address[1])}"
             " (Ctrl-C stops)")
        server.serve_forever(poll_interval=0.1)
    finally:
        events.publish(None)  # ends every event stream
        builder.stop()
        watcher.stop()
        server.server_close()


@contextlib.contextmanager
def _scratch() -> Iterator[None]:
    """A temporary folder of the preview's own for whatever a library puts in one (WeasyPrint
    keeps its font configuration in one for as long as a layout lives, and a layout lives as
    long as the preview), removed when the preview stops, however it stops short of a kill."""
    folder = tempfile.mkdtemp(prefix="bookmaker-preview-")
    previous, tempfile.tempdir = tempfile.tempdir, folder
    try:
        yield
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(folder, ignore_errors=True)


class _News:
    """One terminal line per change worth telling: a mistake, or that it is fixed."""

    def __init__(self, echo: Echo) -> None:
        self.echo = echo
        self.error: str | None = None

    def __call__(self, snapshot: Snapshot) -> None:
        if snapshot.error and snapshot.error != self.error:
            self.echo(printable(snapshot.error))
        elif self.error and not snapshot.error:
            self.echo("fixed: the preview shows the newest save")
        self.error = snapshot.error


def _url(host: str, port: int) -> str:
    """The address to open: this machine's own on the network for ``0.0.0.0``, so a phone can
    be pointed at it (found from the routing table; nothing is sent)."""
    if host in ("0.0.0.0", "::", ""):
        with contextlib.suppress(OSError), \
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # a documentation address: a route, never a packet
            host = probe.getsockname()[0]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"
