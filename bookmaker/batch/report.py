"""What a finished batch tells its user: the counts, each failure, and a JSON report of every
input with each format's status."""

from __future__ import annotations

import json
from pathlib import Path

import bookmaker
from bookmaker.batch.run import BatchResult
from bookmaker.safety.files import atomic_write

STATUSES = ("built", "unchanged", "failed")


def summary(result: BatchResult) -> dict:
    return {**{status: result.count(status) for status in STATUSES},
            "inputs": len(result.records), "seconds": result.seconds}


def write_json_report(result: BatchResult, path: Path) -> None:
    """One record per input (status, outputs, seconds, error with file and line), and totals."""
    report = {"bookmaker": bookmaker.__version__, "summary": summary(result),
              "inputs": result.records}
    atomic_write(Path(path), json.dumps(report, indent=1, ensure_ascii=False).encode("utf-8"))


def failure_lines(result: BatchResult) -> list[tuple[str, str]]:
    """(input, message) for every failure: each failed format's, once per distinct message (an
    input that could not be read fails every format with one message)."""
    lines: list[tuple[str, str]] = []
    for record in result.failed:
        messages = [str(f["error"]["message"]) for f in record["formats"].values()
                    if f["status"] == "failed" and f["error"]]
        lines.extend((record["input"], message) for message in dict.fromkeys(messages))
    return lines
