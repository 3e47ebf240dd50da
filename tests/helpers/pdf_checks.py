"""Every PDF the tests build, read by the readers people use: qpdf, MuPDF, Ghostscript, poppler.

pypdf and pdftoppm are lenient: a PDF they read can still show blank pages in MuPDF (KOReader,
SumatraPDF, Zathura, phone readers) or lose pages in Ghostscript (print pipelines). conftest.py
collects the PDFs a run builds (``capture`` copies those made in memory; files written under the
run's temporary folder are found there) and checks them all once, at the end:

- ``qpdf --check``: no error and no warning;
- poppler's ``pdftotext`` gives each page's text, the reference;
- MuPDF (``mutool draw -F txt``): every page has the same characters as in poppler (compared as
  counts, NFKC-normalised, without spaces and hyphens: the engines order and join lines apart);
- Ghostscript (``txtwrite``): no error, and every page with text in poppler has text (its own
  font decoding maps some ligatures apart, so the characters themselves are not compared).

Four tool starts per PDF, run on two threads (the machine has two cores).
"""

from __future__ import annotations

import collections
import hashlib
import io
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import pytest

TOOLS = ("qpdf", "mutool", "gs", "pdftotext")
# Lines MuPDF prints about its own build, not about the file.
_MUPDF_NOISE = ("warning: ICC support is not available",)
_HYPHENS = "-\u2010\u2011\u00ad"


@dataclass(frozen=True)
class Problem:
    path: Path
    page: int | None  # 1-based; None: the file as a whole
    tool: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}" + (f", page {self.page}" if self.page else "")
        return f"{where}: {self.tool}: {self.message}"


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


@contextmanager
def capture(folder: Path) -> Iterator[None]:
    """While active, every PDF saved through pikepdf in this process (bookmaker's books, joined
    or not, and its zines: all are finished by pikepdf) is also copied into ``folder``, so PDFs
    that tests only hold in memory are checked too."""
    original = pikepdf.Pdf.save
    count = 0

    def saving_a_copy(pdf: pikepdf.Pdf, dest: Any = None, *args: Any, **kwargs: Any) -> None:
        nonlocal count
        original(pdf, dest, *args, **kwargs)
        count += 1
        copy = folder / f"built-{count:05d}.pdf"
        if isinstance(dest, (str, Path)):
            shutil.copyfile(dest, copy)
        elif isinstance(dest, io.BytesIO):
            copy.write_bytes(dest.getvalue())

    folder.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pikepdf.Pdf, "save", saving_a_copy)
        yield


def built_pdfs(folder: Path, not_ours: str) -> list[Path]:
    """Every PDF under ``folder``, each content once (a book written to a file is also captured
    in memory), leaving out files under a folder named ``not_ours`` (broken on purpose) and
    files named .pdf that are not PDFs at all (tests of atomic writes use a few bytes of text
    as a stand-in book: bookmaker writes every PDF through pikepdf, which always writes the
    header)."""
    seen: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.pdf")):
        if not_ours in path.parts or not path.is_file():
            continue
        data = path.read_bytes()
        if data.startswith(b"%PDF-"):
            seen.setdefault(hashlib.sha256(data).hexdigest(), path)
    return sorted(seen.values())


def check_all(paths: list[Path], threads: int = 2) -> list[Problem]:
    with ThreadPoolExecutor(threads) as pool:
        return [problem for problems in pool.map(check, paths) for problem in problems]


def check(path: Path) -> list[Problem]:
    """Every problem qpdf, MuPDF and Ghostscript have with ``path``."""
    problems = _qpdf(path)
    poppler = _run(["pdftotext", "-enc", "UTF-8", str(path), "-"])
    if poppler.returncode != 0:
        return [*problems, Problem(path, None, "pdftotext", poppler.stderr.strip())]
    reference = poppler.stdout.split("\f")[:-1]
    with tempfile.TemporaryDirectory(prefix="pdf-check-") as scratch:
        folder = Path(scratch)
        problems += _mupdf(path, reference, folder)
        problems += _ghostscript(path, reference, folder)
    return problems


def _qpdf(path: Path) -> list[Problem]:
    completed = _run(["qpdf", "--check", str(path)])
    output = (completed.stdout + completed.stderr).strip()
    # qpdf exits with 3 when it only warns: that fails too.
    if completed.returncode != 0 or "\nWARNING: " in f"\n{output}":
        return [Problem(path, None, "qpdf --check", output[-2000:])]
    return []


def _mupdf(path: Path, reference: list[str], folder: Path) -> list[Problem]:
    completed = _run(["mutool", "draw", "-q", "-F", "txt", "-o", str(folder / "mupdf-%d.txt"),
                      str(path)])
    noise = [line for line in completed.stderr.splitlines()
             if line.strip() and line.strip() not in _MUPDF_NOISE]
    problems = [Problem(path, None, "mutool draw", "\n".join(noise[:20]))] \
        if completed.returncode != 0 or noise else []
    for number, expected in enumerate(reference, start=1):
        page = folder / f"mupdf-{number}.txt"
        seen = page.read_text(encoding="utf-8", errors="replace") if page.exists() else ""
        want, got = _characters(expected), _characters(seen)
        if want != got:
            lost = "".join(sorted((want - got).elements()))[:80]
            extra = "".join(sorted((got - want).elements()))[:80]
            problems.append(Problem(path, number, "mutool draw",
                                    f"text differs from poppler's: missing {lost!r}, "
                                    f"extra {extra!r}" if got else "page is blank in MuPDF"))
    return problems


def _ghostscript(path: Path, reference: list[str], folder: Path) -> list[Problem]:
    completed = _run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=txtwrite",
                      f"-sOutputFile={folder / 'gs-%d.txt'}", str(path)])
    output = (completed.stdout + completed.stderr).strip()
    problems = [Problem(path, None, "gs txtwrite", output[-2000:])] \
        if completed.returncode != 0 or output else []
    for number, expected in enumerate(reference, start=1):
        page = folder / f"gs-{number}.txt"
        seen = page.read_text(encoding="utf-8", errors="replace") if page.exists() else ""
        if _characters(expected) and not _characters(seen):
            problems.append(Problem(path, number, "gs txtwrite",
                                    "page has text in poppler and none in Ghostscript"))
    return problems


def _characters(text: str) -> collections.Counter[str]:
    text = unicodedata.normalize("NFKC", text)
    return collections.Counter(c for c in text if not c.isspace() and c not in _HYPHENS)


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, errors="replace",
                          timeout=600)
