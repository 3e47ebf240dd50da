"""What a finished batch tells its user: a summary table, the failures by file, a JSON report."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

import bookmaker
from bookmaker.batch.run import BatchResult
from bookmaker.output import atomic_write

STATUSES = ("built", "unchanged", "failed")


def summary(result: BatchResult) -> dict:
    return {**{status: result.count(status) for status in STATUSES},
            "inputs": len(result.records), "seconds": result.seconds}


def print_summary(console: Console, result: BatchResult) -> None:
    """The counts and time as a table, then each failure by file with its message."""
    table = Table(title="bookmaker batch")
    for heading in (*STATUSES, "time"):
        table.add_column(heading, justify="right")
    counts = summary(result)
    table.add_row(*(str(counts[status]) for status in STATUSES), f"{result.seconds:.1f} s")
    console.print(table)
    for record in result.failed:
        console.print(f"[red]failed[/red] {record['input']}: {record['error']['message']}",
                      markup=True, highlight=False, soft_wrap=True)


def write_json_report(result: BatchResult, path: Path) -> None:
    """One record per input (status, outputs, seconds, error with file and line), and totals."""
    report = {"bookmaker": bookmaker.__version__, "summary": summary(result),
              "inputs": result.records}
    atomic_write(Path(path), json.dumps(report, indent=1, ensure_ascii=False).encode("utf-8"))
