"""Running the real ``bookmaker`` command on a stranger's files, audited.

``run_audited`` starts ``python -m bookmaker ARGS`` (through bookmaker.cli.main, as the console
script does) in a subprocess under a 2 GB address-space cap, with an audit hook that records every
file the process opens and every connection it tries, and waits for it at most LIMIT_SECONDS.
``assert_safe`` then checks the promises of SECURITY.md on what happened: no traceback, no
connection, nothing read in the secret folder, nothing written outside the output folder, the
secret in no output and no message, within the time and memory bounds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MEMORY_CAP = 2 * 2**30
LIMIT_SECONDS = 60
SECRET = "TOP-SECRET-7f3a9c"
TEMP = Path(tempfile.gettempdir())

AUDITED_CLI = """
import json, os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
log = os.environ.pop("STRANGER_AUDIT_LOG")
events = []
def audit(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        mode, flags = args[1] or "", args[2] or 0
        writing = any(c in mode for c in "wax+") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        events.append(("write" if writing else "read", os.path.abspath(os.fsdecode(args[0]))))
    elif event in ("socket.connect", "socket.getaddrinfo", "os.rename", "os.symlink",
                   "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn"):
        events.append((event, repr(args)[:300]))
sys.addaudithook(audit)
def dump():
    if os.getpid() == parent:
        seen = list(events)  # not the log's own opening
        with open(log, "w") as handle:
            json.dump(seen, handle)
parent = os.getpid()
import atexit
atexit.register(dump)
sys.argv[0] = "bookmaker"
import importlib
for plugin in os.environ.pop("STRANGER_PLUGINS", "").split():  # test-only readers, as a plugin
    importlib.import_module(plugin)
from bookmaker.cli import main
main()
"""


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    events: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    max_rss_mb: float = 0.0
    timed_out: bool = False

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def read(self) -> set[str]:
        return {path for kind, path in self.events if kind == "read"}

    def written(self) -> set[str]:
        return {path for kind, path in self.events if kind == "write"}


def run_audited(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
                plugins: tuple[str, ...] = ()) -> Run:
    """``bookmaker ARGS`` run in ``cwd``, audited, killed (with its workers) after LIMIT_SECONDS.
    ``plugins``: modules of tests/helpers/ imported first, as a plugin is (test-only readers:
    batch_plugin's ``.hang`` and ``.hog``), so that every command meets them, not only batch."""
    log = cwd / ".audit.json"
    streams = cwd / ".streams"
    streams.mkdir(exist_ok=True)
    command = [sys.executable, "-c", AUDITED_CLI.format(cap=MEMORY_CAP), *map(str, args)]
    environment = {**os.environ, **(env or {}), "STRANGER_AUDIT_LOG": str(log),
                   "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    if plugins:
        environment["STRANGER_PLUGINS"] = " ".join(plugins)
        environment["BOOKMAKER_PLUGINS"] = ",".join(plugins)  # batch's workers load them too
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(Path(__file__).parent), environment.get("PYTHONPATH", "")])
    timed_out = threading.Event()
    with open(streams / "out", "wb") as out, open(streams / "err", "wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   cwd=cwd, env=environment, start_new_session=True)

        def stop() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(LIMIT_SECONDS, stop)
        started = time.monotonic()
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
    events = [tuple(event) for event in json.loads(log.read_text())] if log.exists() else []
    log.unlink(missing_ok=True)
    return Run([str(a) for a in args], process.returncode,
               (streams / "out").read_text(errors="replace"),
               (streams / "err").read_text(errors="replace"), events,
               time.monotonic() - started, usage.ru_maxrss / 1024, timed_out.is_set())


def texts_in(path: Path) -> bytes:
    """Every byte a reader of ``path`` could see: a zip's entries inflated, a PDF's text."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return data + b"".join(archive.read(name) for name in archive.namelist())
    if data.startswith(b"%PDF"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True).stdout
        return data + text
    return data


# What the libraries do on their own, whatever the input: ctypes.util.find_library (WeasyPrint's
# cffi looking for Pango) runs ldconfig, gcc and ld; the batch pool's workers talk over a Unix
# socket. Nothing else may run or connect.
_LIBRARY_LOOKUP = ("('/sbin/ldconfig',", "('/usr/bin/gcc',", "('ld',")


def _expected(event: tuple[str, str], ports: tuple[int, ...] = ()) -> bool:
    kind, what = event
    if kind == "subprocess.Popen":
        return what.startswith(_LIBRARY_LOOKUP)
    if kind == "socket.getaddrinfo" and ports:  # resolving the operator's own address (and
        # Dask, once its client starts, looking its own loopback address up: no network)
        return any(f", {port}," in what for port in ports) or what.startswith("('127.0.0.1',")
    return kind == "socket.connect" and ("family=1," in what  # AF_UNIX
                                         or any(f"('127.0.0.1', {port})" in what
                                                for port in ports))


def assert_safe(run: Run, root: Path, out: Path, secret_folder: Path | None = None,
                operator_ports: tuple[int, ...] = ()) -> None:
    """The promises of SECURITY.md, checked on one audited run. ``operator_ports``: local ports
    the operator's own command line names (a --scheduler), the only connections allowed."""
    where = f"bookmaker {' '.join(run.args)}"
    assert not run.timed_out, f"{where}: still running after {LIMIT_SECONDS} s"
    assert run.returncode in (0, 1, 2), f"{where}: exit {run.returncode}\n{run.output[-3000:]}"
    assert "Traceback" not in run.output, f"{where}:\n{run.output[-3000:]}"
    assert "internal error" not in run.output, f"{where}:\n{run.output[-3000:]}"
    assert run.max_rss_mb < MEMORY_CAP / 2**20, f"{where}: {run.max_rss_mb:.0f} MB"
    assert SECRET not in run.output, where
    assert "\x1b" not in run.output, f"{where}: a raw escape sequence reached the terminal"
    assert [e for e in run.events if e[0].startswith(("socket", "subprocess", "os.system",
                                                      "os.exec", "os.posix_spawn"))
            and not _expected(e, operator_ports)] == [], where
    if secret_folder is not None:
        assert not [p for p in run.read() if Path(p).is_relative_to(secret_folder)], where
    # The compiled templates' cache (safety/cache.py) is bookmaker's, not the input's: entries
    # named by digests, in the one folder the run set.
    cache = Path(os.environ["BOOKMAKER_CACHE"])
    cached = {Path(p) for p in run.written() if Path(p).is_relative_to(cache)}
    assert all(p == cache / "templates" or (p.parent == cache / "templates"
               and p.name.startswith("jinja-")) for p in cached), f"{where}: {sorted(cached)}"
    written = {Path(p) for p in run.written()} - {Path(os.devnull)} - cached
    scratch = {p for p in written if p.is_relative_to(TEMP) and not p.is_relative_to(root)}
    assert not [p for p in scratch if p != TEMP and p.exists()], where
    outside = [p for p in written - scratch if not p.is_relative_to(out)]
    assert outside == [], f"{where}: wrote outside the output folder: {outside}"
    if out.exists():
        for path in out.rglob("*"):
            if path.is_file() and not path.is_symlink():
                assert SECRET.encode() not in texts_in(path), f"{where}: the secret is in {path}"
