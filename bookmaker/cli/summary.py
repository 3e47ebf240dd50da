"""A finished batch on screen: the counts as a table, then each failure by file."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bookmaker.batch.report import STATUSES, failure_lines, summary
from bookmaker.batch.run import BatchResult
from bookmaker.terminal import printable, printable_name


def print_summary(console: Console, result: BatchResult) -> None:
    """The counts and time as a table, then each failure by file with its message."""
    table = Table(title="bookmaker batch")
    for heading in (*STATUSES, "time"):
        table.add_column(heading, justify="right")
    counts = summary(result)
    table.add_row(*(str(counts[status]) for status in STATUSES), f"{result.seconds:.1f} s")
    console.print(table)
    for name, message in failure_lines(result):
        # Names and messages come from strangers' files: plain Text, never parsed as markup,
        # and with control characters escaped.
        console.print(Text.assemble(("failed", "red"), " ", printable_name(str(name)), ": ",
                                    printable(message)),
                      highlight=False, soft_wrap=True)
