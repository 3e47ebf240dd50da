"""``bookmaker batch --scheduler`` on a real cluster: a ``dask scheduler`` and two ``dask worker``
processes started as a user starts them, each in a working folder of its own and without the
client's environment (no SOURCE_DATE_EPOCH, no BOOKMAKER_PLUGINS, another current folder).

The batch is given a relative SRC, holds a work that fails, and one of the worker processes is
killed while it builds a book. The books must be byte for byte those of a local batch of the same
archive, and nothing staged may be left. Every wait is for an event (a file a worker writes, the
scheduler's word) with a generous deadline, never a sleep, and every process started here is
killed at the end, whatever happened.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the fast tier leaves it out: pytest -m "not slow"

HERE = Path(__file__).resolve().parent
DASK = Path(sys.executable).parent / "dask"
WAIT = 180  # seconds for the cluster to come up, or for a batch; never reached when all is well
EPOCH = "1234567890"

WORKS = {
    "a.md": "---\ntitle: A One\nlanguage: en\n---\n\nSome words.\n",
    "b/b.md": "---\ntitle: Be Two\nlanguage: en\n---\n\nMore words.\n",
    "b/c.md": "---\ntitle: Be Two\nlanguage: en\n---\n\nOther words, one title.\n",
    "d/e/slow.pause": "---\ntitle: Slow Going\nlanguage: en\n---\n\nA worker dies here.\n",
    "d/broken.md": "---\ntitle: [Broken\nlanguage: en\n---\n\nNever built.\n",
}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two single-threaded workers; yields (address, signals folder)."""
    home = tmp_path_factory.mktemp("cluster")
    signals = home / "signals"
    signals.mkdir(parents=True)
    # The scheduler picks its own free port and says which in its scheduler file: a port probed
    # free here could be taken by another suite before the scheduler binds it.
    scheduler_file = home / "scheduler.json"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
           "PYTHONPATH": str(HERE), "CLUSTER_TEST_SIGNALS": str(signals)}
    processes: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> None:
        folder = home / name
        folder.mkdir()
        log = open(folder / "log.txt", "wb")  # noqa: SIM115 (closed with the process)
        processes.append(subprocess.Popen(
            [str(DASK), *args], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True))
        log.close()

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0",
              "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(scheduler_file))
        address = _scheduler_address(scheduler_file, home)
        for name in ("worker-1", "worker-2"):
            start(name, "worker", address, "--nthreads", "1", "--nworkers", "1",
                  "--no-dashboard", "--local-directory", str(home / name), "--name", name)
        _wait_for_workers(address, 2, home)
        yield address, signals
    finally:
        for process in processes:  # the nanny's worker is in its group: kill the whole group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=WAIT)


def _scheduler_address(scheduler_file: Path, home: Path) -> str:
    """The address the scheduler listens on, once it has written all of its file (which it
    writes in place: a file read too soon is incomplete JSON, and read again)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with contextlib.suppress(FileNotFoundError, json.JSONDecodeError, KeyError):
            return json.loads(scheduler_file.read_text())["address"]
        time.sleep(0.05)
    logs = "\n".join(p.read_text(errors="replace") for p in home.glob("*/log.txt"))
    raise AssertionError(f"the scheduler did not start in {WAIT}s:\n{logs}")


def _client(address: str):
    """A client of the test's own, with one generous deadline: it keeps trying to connect to a
    scheduler still starting, and never gives up on a connection a busy machine slows down."""
    import distributed

    return distributed.Client(address, timeout=f"{WAIT}s", set_as_default=False)


def _wait_for_workers(address: str, count: int, home: Path) -> None:
    try:
        with _client(address) as client:
            client.wait_for_workers(count, timeout=WAIT)
    except (OSError, TimeoutError):
        logs = "\n".join(p.read_text(errors="replace") for p in home.glob("*/log.txt"))
        raise AssertionError(f"the cluster did not start in {WAIT}s:\n{logs}") from None


def _batch(cwd: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "BOOKMAKER_PLUGINS": "cluster_plugin",
           "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-m", "bookmaker", "batch", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen) -> tuple[int, str]:
    try:
        out, err = process.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"the batch did not finish in {WAIT}s:\n{out}\n{err}") from None
    return process.returncode, out + err


def _kill_the_worker_building(signals: Path, client: subprocess.Popen) -> int:
    """Wait until a worker process starts the slow work, then kill it (SIGKILL, as the kernel's
    OOM killer or a lost machine would)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and client.poll() is None:
        started = sorted(signals.glob("started-*"))
        if started:
            pid = int(started[0].name.split("-")[1])
            os.kill(pid, signal.SIGKILL)
            return pid
        time.sleep(0.05)
    raise AssertionError("no worker started the slow work")


def _clear(signals: Path) -> None:
    for signal_file in signals.iterdir():
        signal_file.unlink()


def test_a_real_cluster_builds_the_bytes_a_local_batch_builds(tmp_path, cluster):
    address, signals = cluster
    _clear(signals)
    archive = tmp_path / "archive"
    for name, text in WORKS.items():
        (archive / name).parent.mkdir(parents=True, exist_ok=True)
        (archive / name).write_text(text, encoding="utf-8")

    code, output = _finish(_batch(tmp_path, "archive", "-o", "local", "-j", "2",
                                  "--report", "local.json"))
    assert code == 1, output  # the broken work fails; the others build

    on_dask = _batch(tmp_path, "archive", "-o", "dask", "--scheduler", address,
                     "--report", "dask.json")
    killed = _kill_the_worker_building(signals, on_dask)
    code, output = _finish(on_dask)
    assert code == 1, output

    local = json.loads((tmp_path / "local.json").read_text())
    dask = json.loads((tmp_path / "dask.json").read_text())
    statuses = {r["input"]: r["status"] for r in dask["inputs"]}
    assert statuses == {r["input"]: r["status"] for r in local["inputs"]}
    assert statuses == {"a.md": "built", "b/b.md": "built", "b/c.md": "built",
                        "d/e/slow.pause": "built", "d/broken.md": "failed"}, output
    broken = next(r for r in dask["inputs"] if r["input"] == "d/broken.md")
    assert broken["error"]["file"].endswith("broken.md") and broken["error"]["line"] == 2
    # The killed worker's book was built again elsewhere, after the kill.
    assert len(list(signals.glob("started-*"))) >= 2, f"killed {killed}; {output}"

    for record in local["inputs"]:
        assert list(record["outputs"]) == \
            next(r["outputs"] for r in dask["inputs"] if r["input"] == record["input"])
        for name in record["outputs"]:
            assert (tmp_path / "dask" / name).read_bytes() == \
                (tmp_path / "local" / name).read_bytes(), name
    assert not [p for p in (tmp_path / "dask").rglob("*") if p.name.endswith((".part", ".live"))]

    # The manifest the cluster wrote is the one a local run continues from, wherever it runs.
    code, output = _finish(_batch(archive, str(archive), "-o", str(tmp_path / "dask"),
                                  "--report", str(tmp_path / "again.json")))
    again = json.loads((tmp_path / "again.json").read_text())
    assert {r["input"]: r["status"] for r in again["inputs"]} == {
        **dict.fromkeys(WORKS, "unchanged"), "d/broken.md": "failed"}, output


def test_an_interrupted_cluster_batch_leaves_nothing_staged(tmp_path, cluster):
    """Ctrl-C: queued works are cancelled, and a work already running on a worker thread (which
    Dask cannot stop) removes what it staged when it finishes after the batch is gone."""
    address, signals = cluster
    _clear(signals)
    archive = tmp_path / "archive"
    archive.mkdir()
    for number in range(6):
        (archive / f"w{number}.pause").write_text(
            f"---\ntitle: Work {number}\nlanguage: en\n---\n\nWords.\n", encoding="utf-8")
    batch = _batch(tmp_path, "archive", "-o", "out", "--scheduler", address)
    deadline = time.monotonic() + WAIT
    while not list(signals.glob("started-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    batch.send_signal(signal.SIGINT)
    code, output = _finish(batch)
    assert code == 130, output
    assert "interrupted by SIGINT" in output and "nothing half-written is left" in output

    # The tasks already running when the batch stopped finish on their own: wait until no
    # worker has a thread still running one (each removes its staged files before it ends).
    # A worker's ``executing`` keeps a task cancelled while it ran until its thread is done.
    with _client(address) as client:
        def running() -> int:
            return sum(client.run(lambda dask_worker: len(dask_worker.state.executing)).values())

        deadline = time.monotonic() + WAIT
        while running() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not running()
    started = {p.name.split("-", 1)[1] for p in signals.glob("started-*")}
    read = {p.name.split("-", 1)[1] for p in signals.glob("read-*")}
    assert started == read
    assert not [p for p in (tmp_path / "out").rglob("*") if p.name.endswith((".part", ".live"))], \
        sorted(p.name for p in (tmp_path / "out").rglob("*"))
    assert len(list(signals.glob("started-*"))) < 6  # the queued works never started
    assert not list((tmp_path / "out").rglob("*.epub"))
