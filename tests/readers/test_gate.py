"""One gate for every input: the reader registry opens each file once and hands the reader its
bytes, never a path.

Every registered reader is proved to refuse a symbolic link, a named pipe and a device with one
message naming the file, and to open nothing by its input's path itself: an audit hook counts
the ``open`` events on that path during a read, and there is exactly one, the gate's. The Kindle
reader, which once opened its path through KindleUnpack, is also tried through the real
``build``, ``import`` and ``batch`` commands.
"""

from __future__ import annotations

import ast
import os
import shutil
import stat
import sys
import threading
from pathlib import Path

import pytest
from kindle import mobi_book, story_html
from paths import DATA, REPO
from stranger import SECRET, assert_safe, run_audited

from bookmaker import readers
from bookmaker.errors import ManuscriptError

NOT_OURS = "not-built-by-bookmaker"
DEADLINE = 60  # seconds a refusal may take on the busiest machine; a refusal takes milliseconds

# One real file per registered reader, which that reader takes: a reader added to the registry
# without a sample here fails the first test below.
SAMPLES = {
    "markdown": DATA / "kitchen-sink" / "input.md",
    "plaintext": DATA / "plaintext" / "chapters" / "input.txt",
    "ao3-page": DATA / "ao3page" / "oneshot.html",
    "ao3-download": DATA / "ao3html" / "single-chapter-2021" / "input.html",
    "html": DATA / "html" / "saved-page" / "input.html",
    "docx": DATA / "docx" / "paper-boat" / "input.docx",
    "epub": DATA / "ao3_downloads" / "Small_Hours.epub",
    "kindle": DATA / "ao3_downloads" / "Small_Hours.azw3",
}
CASES = [(name, suffix) for name, info in sorted(readers.READERS.items())
         for suffix in info.suffixes]

# The audit hook, added once (hooks cannot be removed): while WATCHED names a path, every "open"
# event on it (builtins.open, io.open, os.open, Path.read_bytes, zipfile, any library's) counts.
WATCHED: dict[str, int] = {}


def _count_opens(event: str, args: tuple) -> None:
    if event == "open" and WATCHED and isinstance(args[0], (str, bytes, os.PathLike)):
        name = os.path.abspath(os.fsdecode(args[0]))
        if name in WATCHED:
            WATCHED[name] += 1


sys.addaudithook(_count_opens)


def opens_during(path: Path, action) -> int:
    WATCHED.clear()
    WATCHED[os.path.abspath(path)] = 0
    try:
        action()
    finally:
        count = WATCHED.pop(os.path.abspath(path))
    return count


def sample_as(tmp_path: Path, name: str, suffix: str) -> Path:
    """The reader's sample, copied with ``suffix`` into a fresh folder (with what lies beside it:
    the images of the formats that refer to files)."""
    source = SAMPLES[name]
    folder = tmp_path / NOT_OURS
    shutil.copytree(source.parent, folder)
    copy = folder / f"sample{suffix}"
    shutil.copyfile(source, copy)
    return copy


def refused(path: Path) -> ManuscriptError:
    """The error reading ``path`` gives, waited for at most DEADLINE seconds: a pipe opened
    without O_NONBLOCK would block, and is then released by opening its other end."""
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            readers.read(path)
            outcome.append(None)
        except BaseException as error:  # reported below, whatever it is
            outcome.append(error)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    if thread.is_alive():
        if stat.S_ISFIFO(os.lstat(path).st_mode):
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"reading {path.name} was still blocked after {DEADLINE} s")
    [error] = outcome
    assert isinstance(error, ManuscriptError), f"{path.name}: {error!r}"
    assert error.path == str(path)
    return error


# ------------------------------------------------------------------ every registered reader

def test_every_registered_reader_has_a_sample_that_it_takes():
    assert set(SAMPLES) == set(readers.READERS)
    for name, sample in SAMPLES.items():
        assert readers.reader_for(sample).name == name, sample


@pytest.mark.parametrize("name, suffix", CASES)
def test_the_gate_alone_opens_the_input_and_exactly_once(tmp_path, name, suffix):
    path = sample_as(tmp_path, name, suffix)
    assert readers.reader_for(path).name == name
    assert opens_during(path, lambda: readers.read_with_findings(path)) == 1
    assert opens_during(path, lambda: readers.findings(path)) == 1


@pytest.mark.parametrize("name, suffix", CASES)
def test_a_symlink_is_refused_and_never_followed(tmp_path, name, suffix):
    target = sample_as(tmp_path, name, suffix)
    link = tmp_path / f"link{suffix}"
    link.symlink_to(target)
    assert opens_during(target, lambda: refused(link)) == 0
    assert "is a symbolic link" in refused(link).message


@pytest.mark.parametrize("name, suffix", CASES)
def test_a_named_pipe_is_refused_at_once(tmp_path, name, suffix):
    pipe = tmp_path / f"pipe{suffix}"
    os.mkfifo(pipe)
    assert "not a regular file (a named pipe)" in refused(pipe).message


@pytest.mark.parametrize("name, suffix", CASES)
def test_a_device_is_refused_unread(tmp_path, name, suffix):
    device = tmp_path / f"zero{suffix}"
    try:
        os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # what /dev/zero is
    except PermissionError:
        pytest.skip("making a device file needs root (CI runs as root)")
    assert "not a regular file (a device)" in refused(device).message


def test_a_file_larger_than_its_formats_budget_is_refused_unread(tmp_path):
    (tmp_path / NOT_OURS).mkdir()
    for name, info in readers.READERS.items():
        big = tmp_path / NOT_OURS / f"big-{name}{info.suffixes[0]}"
        with open(big, "wb") as file:
            file.truncate(info.max_bytes + 1)  # sparse: nothing is written
        assert "allowed" in refused(big).message, name


# ------------------------------------------------------------------ by construction

# Ways of opening a file by name. Only the registry (readers/__init__.py) opens inputs, through
# safety/inputs.py; a reader that needs the files a library unpacked reads them through
# safety/inputs.PrivateFolder.
_OPENERS = {"open", "open_input", "read_input", "open_source"}
_PATH_METHODS = {"read_bytes", "read_text", "write_bytes", "write_text"}
_MODULE_OPENERS = {"os": {"open", "fdopen"}, "io": {"open"}, "codecs": {"open"},
                   "zipfile": {"ZipFile"}}


def _opening_calls(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    buffers = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
               and isinstance(node.value, ast.Call) and "BytesIO" in ast.unparse(node.value.func)
               for target in node.targets if isinstance(target, ast.Name)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function, name = node.func, None
        if isinstance(function, ast.Name) and function.id in _OPENERS:
            name = function.id
        elif isinstance(function, ast.Attribute):
            owner = function.value
            if isinstance(owner, ast.Name) and function.attr in _MODULE_OPENERS.get(owner.id, ()):
                in_memory = node.args and (isinstance(node.args[0], ast.Call) or (  # BytesIO
                    isinstance(node.args[0], ast.Name) and node.args[0].id in buffers))
                name = None if in_memory else f"{owner.id}.{function.attr}"
            elif function.attr in _PATH_METHODS | (_OPENERS - {"open"}):
                name = f".{function.attr}"
        if name:
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: {name}(...)")
    return found


def test_no_reader_opens_a_file_by_name():
    package = REPO / "bookmaker" / "readers"
    calls = [call for module in sorted(package.rglob("*.py")) if module != package / "__init__.py"
             for call in _opening_calls(module)]
    assert calls == []


def test_the_opening_calls_are_recognised():
    sample = REPO / "bookmaker" / "safety" / "inputs.py"  # the gate itself opens, as it must
    assert any("os.open" in call for call in _opening_calls(sample))


# ------------------------------------------------------------------ through the real commands

@pytest.fixture(scope="module")
def kindle_archive(tmp_path_factory):
    """A stranger's folder with a Kindle book of its own, links to a secret Kindle book beside
    it, a named pipe and a device that have Kindle names."""
    root = tmp_path_factory.mktemp("kindle-gate")
    secret = root / "secret"
    secret.mkdir()
    (secret / "secret.mobi").write_bytes(mobi_book(story_html(f"The secret is {SECRET}.")))
    folder = root / NOT_OURS
    folder.mkdir()
    (folder / "own.mobi").write_bytes(mobi_book(story_html("An honest story.", title="Own")))
    (folder / "leak.mobi").symlink_to(secret / "secret.mobi")
    (folder / "leak.azw3").symlink_to(secret / "secret.mobi")
    return root, folder, secret


def test_a_symlinked_kindle_book_is_refused_by_build_import_and_batch(kindle_archive):
    root, folder, secret = kindle_archive
    for command, out in (("build", root / "dist"), ("import", root / "manuscripts"),
                         ("batch", root / "batch")):
        extra = ("--jobs", "1") if command == "batch" else ()
        run = run_audited(command, folder, "-o", out, *extra, cwd=root)
        assert_safe(run, root, out, secret)
        for name in ("leak.mobi", "leak.azw3"):
            assert f"{name}: file is a symbolic link" in run.output, (command, run.output)
        assert run.returncode == 1, (command, run.output)
        made = [path for path in out.rglob("*") if path.is_file() and "own" in path.name]
        assert made, (command, run.output)  # the folder's own book is still read


@pytest.mark.parametrize("name", ["pipe.azw3", "pipe.mobi"])
def test_a_fifo_with_a_kindle_name_is_refused_at_once(tmp_path, name):
    os.mkfifo(tmp_path / name)
    out = tmp_path / "out"
    run = run_audited("build", tmp_path / name, "-o", out, cwd=tmp_path)
    assert_safe(run, tmp_path, out)
    assert f"{tmp_path / name}: file is not a regular file (a named pipe)" in run.stderr


def test_every_registered_reader_says_what_text_its_source_held():
    """The registry compares each book with its source's text (readers/accounting.py): every
    reader's source must have its text recorded, or its losses could not be seen."""
    for name, sample in SAMPLES.items():
        info, source = readers.open_input(sample)
        readers.read_source(info, source)
        assert " ".join(source.ledger.texts).split(), name
