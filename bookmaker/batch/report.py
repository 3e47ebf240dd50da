"""What a finished batch tells its user: the counts, and a JSON report of every input."""

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
