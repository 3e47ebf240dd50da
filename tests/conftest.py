"""Shared test machinery: golden files, EPUBCheck for every book the run builds, and a rule that
any warning logged by a library (ebooklib, WeasyPrint...) fails the test that caused it."""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "helpers"))

import epubcheck_batch
import pdf_checks

from paths import DATA, REPO, SEED  # noqa: F401  (DATA and SEED: for tests that import them)

# Books under a folder with this name are deliberately broken inputs, not bookmaker's output.
NOT_OUR_OUTPUT = "not-built-by-bookmaker"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite golden files under tests/data/ from the current output")


@pytest.fixture(autouse=True, scope="session")
def _fixed_source_date_epoch():
    """Builds in tests are reproducible by default; tests that probe the fallback unset it."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    yield
    if old is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = old


@pytest.fixture(autouse=True, scope="session")
def _private_template_cache(tmp_path_factory: pytest.TempPathFactory):
    """Compiled templates are cached in a folder of the run's own (safety/cache.py), never in
    the home of whoever runs the tests; the commands the tests start inherit it."""
    old = os.environ.get("BOOKMAKER_CACHE")
    os.environ["BOOKMAKER_CACHE"] = str(tmp_path_factory.mktemp("bookmaker-cache"))
    yield
    if old is None:
        os.environ.pop("BOOKMAKER_CACHE", None)
    else:
        os.environ["BOOKMAKER_CACHE"] = old


class Golden:
    """Compares output with a checked-in file; ``pytest --update-golden`` rewrites the file."""

    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, expected_path: Path, actual: str) -> None:
        if self.update or not expected_path.exists():
            expected_path.parent.mkdir(parents=True, exist_ok=True)
            expected_path.write_text(actual, encoding="utf-8")
            if not self.update:
                pytest.fail(f"{expected_path} did not exist; written now, review and commit it")
            return
        expected = expected_path.read_text(encoding="utf-8")
        assert actual == expected, (
            f"output differs from {expected_path.relative_to(REPO)}; if the change is intended, "
            f"run `pytest --update-golden` and review the diff")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(request.config.getoption("--update-golden"))


@pytest.fixture
def seed_path() -> Path:
    if not SEED.exists():
        pytest.fail(f"the seed story is missing at {SEED}")
    return SEED


@pytest.fixture(autouse=True)
def _library_warnings_fail(caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest):
    """A warning logged by any library during a test is a failure unless the test is marked
    ``expect_log_warnings``: such warnings are how WeasyPrint and ebooklib report broken output."""
    caplog.set_level(logging.WARNING)
    yield
    if request.node.get_closest_marker("expect_log_warnings"):
        return
    logged = [r for r in caplog.get_records("call") if r.levelno >= logging.WARNING]
    if logged:
        pytest.fail("warnings were logged: " + "; ".join(
            f"{r.name}: {r.getMessage()}" for r in logged))


@pytest.fixture(scope="module")
def listener():
    """A server on 127.0.0.1 that records every connection offered to it: hostile books point
    their URLs here, and a test asserts it saw none (bookmaker never reaches the network)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    connections: list = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            connections.append(connection)
            connection.close()

    thread = threading.Thread(target=accept)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join()
    server.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "expect_log_warnings: the test expects logged warnings")
    config.addinivalue_line("markers", "slow: a heavy test (Ace, the wheel, the corpora, a Dask "
                            "cluster, the stranger suite, a browser) that the fast tier, "
                            "`pytest -m \"not slow\"`, leaves out; the full run and CI run it")


@pytest.fixture(autouse=True, scope="session")
def _epubcheck_every_built_book(tmp_path_factory: pytest.TempPathFactory):
    """After the whole run, EPUBCheck every .epub any test wrote under the run's temporary folder,
    in one JVM. A book with an error or a warning fails the run."""
    yield
    base = tmp_path_factory.getbasetemp()
    books = sorted(p for p in base.rglob("*.epub")
                   if NOT_OUR_OUTPUT not in p.parts and p.is_file())
    results = epubcheck_batch.validate(books)
    failed = [r for r in results if not r.passed]
    print(f"\nEPUBCheck: {len(results)} books built by the tests checked, {len(failed)} failed")
    if failed:
        pytest.fail("EPUBCheck found problems:\n" + "\n\n".join(
            f"{r.path}:\n{r.messages}" for r in failed), pytrace=False)


@pytest.fixture(autouse=True, scope="session")
def _read_every_built_pdf(tmp_path_factory: pytest.TempPathFactory):
    """After the whole run, read every PDF the tests built (written under the run's temporary
    folder, or saved in memory: ``capture`` copies those) with qpdf, MuPDF and Ghostscript
    (tests/helpers/pdf_checks.py). A problem on any page fails the run."""
    base = tmp_path_factory.getbasetemp()
    with pdf_checks.capture(base / "pdfs-built-in-memory"):
        yield
    pdfs = pdf_checks.built_pdfs(base, NOT_OUR_OUTPUT)
    if pdfs and (missing := pdf_checks.missing_tools()):
        pytest.fail(f"cannot read the PDFs built: {', '.join(missing)} missing (see README)",
                    pytrace=False)
    problems = pdf_checks.check_all(pdfs)
    print(f"\nPDF readers: {len(pdfs)} PDFs built by the tests read with qpdf, MuPDF, "
          f"Ghostscript and poppler, {len(problems)} problems")
    if problems:
        pytest.fail("PDF readers found problems:\n" + "\n".join(map(str, problems)),
                    pytrace=False)
