"""``bookmaker watch``: build, then rebuild on every save, until Ctrl-C.

A writer keeps the book open beside the manuscript; what matters is that a save shows up in the
book a moment later, that a typo in the front matter prints its error instead of stopping the
watch, and that the build's own output never triggers another build.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import watchfiles

from bookmaker.convert import BuildResult, build, settings_at
from bookmaker.errors import BookmakerError
from bookmaker.settings.config import find_config
from bookmaker.settings.themes import find_theme
from bookmaker.terminal import printable, printable_name

Echo = Callable[[str], None]


def build_once(path: Path, command_line: dict[str, Any], echo: Echo) -> Path | None:
    """One build with the settings as they are now (bookmaker.toml may have changed since the
    last); every problem is printed, none raised. The output folder, to keep out of the watch."""
    started = time.perf_counter()
    try:
        run, context, config_warnings = settings_at(path, command_line)
        for finding in config_warnings:
            echo(str(finding))
        out = Path(run.out)
        with run.budget.process():
            results = build([path], run.formats, out, context, seconds=run.timeout)
    except BookmakerError as error:
        echo(printable(f"error: {error}"))
        return None
    except OSError as error:  # a file or folder vanished or changed under the build
        echo(printable(f"error: {error.strerror}: {error.filename}; waiting for the next change"))
        return None
    for result in results:
        _report(result, echo)
    failed = sum(1 for result in results if result.error)
    verdict = f"{failed} failed" if failed else "built"
    echo(f"{verdict} in {time.perf_counter() - started:.2f}s; watching for changes (Ctrl-C stops)")
    return out.resolve()


def _report(result: BuildResult, echo: Echo) -> None:
    for warning in result.warnings:
        echo(printable(warning))
    for output in result.outputs:
        echo(f"{printable_name(str(result.source))} -> {printable_name(str(output))}")
    if result.error:
        echo(printable(result.error))


def watched_paths(path: Path, command_line: dict[str, Any]) -> list[Path]:
    """What a rebuild depends on: the manuscript's folder (its images too), the bookmaker.toml
    that applies, and a theme folder of the writer's own."""
    folder = path if path.is_dir() else path.parent
    paths = [folder.resolve()]
    config = find_config(path)
    if config:
        paths.append(config.resolve())
    style = command_line.get("style")
    if style:
        # An unknown theme: build_once prints the error; there is nothing of it to watch.
        with contextlib.suppress(BookmakerError):
            paths.append(find_theme(style).folder)
    return [p for p in dict.fromkeys(paths) if not any(p.is_relative_to(o) and p != o
                                                       for o in paths)]


def watch(path: str | Path, command_line: dict[str, Any], echo: Echo) -> None:
    """Build ``path``, then rebuild it after every change until interrupted.

    A path that does not exist, or settings no build could use (an unknown format or theme, a
    bad value in bookmaker.toml), raise BookmakerError at once: there would be nothing to watch
    for. Once watching, every problem is printed and the watch goes on.
    """
    path = Path(path)
    if not path.exists():
        raise BookmakerError(f"{path}: no such file or folder (check the path)")
    settings_at(path, command_line)
    out = build_once(path, command_line, echo)
    # The filter reads ``out`` late on purpose: a rebuild may move the output folder.
    for changes in watchfiles.watch(*watched_paths(path, command_line),
                                    watch_filter=ignoring(lambda: out),  # noqa: B023
                                    raise_interrupt=False):
        echo("changed: " + ", ".join(sorted({printable_name(Path(p).name)
                                             for _change, p in changes})))
        out = build_once(path, command_line, echo) or out


def ignoring(output: Callable[[], Path | None]) -> Callable[[watchfiles.Change, str], bool]:
    """A watch filter leaving out the build's output folder (``output()``, None for none) and
    editors' temporary files; the preview watches with it too."""
    default = watchfiles.DefaultFilter()

    def keep(change: watchfiles.Change, path: str) -> bool:
        out = output()
        if out is not None and Path(path).resolve().is_relative_to(out):
            return False
        return default(change, path) and not path.endswith((".swp", ".tmp"))

    return keep

