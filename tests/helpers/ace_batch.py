"""Ace by DAISY, the accessibility checker publishers use, on many EPUBs at once (one Node process,
one Chromium), beside epubcheck_batch.py.

Ace is an npm package (``@daisy/ace``) driving Chromium through puppeteer; .ci/run installs it
globally with Debian's chromium (see the README). ``PUPPETEER_EXECUTABLE_PATH`` names the browser;
Ace's puppeteer runner already starts it with ``--no-sandbox``, which it needs as root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

_SCRIPT = Path(__file__).parent / "ace_batch.js"
# What a book bookmaker writes must never have: axe-core's impacts, all but "minor".
BLOCKING_IMPACTS = frozenset({"critical", "serious", "moderate"})


class AceMissing(RuntimeError):
    pass


@dataclass
class Violation:
    rule: str
    impact: str
    file: str
    description: str

    def __str__(self) -> str:
        return f"{self.file}: {self.impact}: {self.rule}: {self.description}"


@dataclass
class AceResult:
    path: Path
    violations: list[Violation] = field(default_factory=list)
    error: str = ""

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if v.impact in BLOCKING_IMPACTS]


def node_path() -> str:
    """Where @daisy/ace is installed: $ACE_NODE_PATH, else npm's global folder."""
    if os.environ.get("ACE_NODE_PATH"):
        return os.environ["ACE_NODE_PATH"]
    if shutil.which("npm") is None:
        raise AceMissing("npm is not installed")
    root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True,
                          check=False).stdout.strip()
    # npm nests a global package's dependencies (ace-core, the puppeteer runner) under it.
    for folder in (Path(root) / "@daisy" / "ace" / "node_modules", Path(root)):
        if (folder / "@daisy" / "ace-core").is_dir():
            return str(folder)
    raise AceMissing(f"@daisy/ace is not installed in {root}")


def browser() -> str:
    found = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if not found:
        raise AceMissing("no Chromium for Ace (install Debian's chromium)")
    return found


def check(paths: list[Path], timeout: int = 900) -> list[AceResult]:
    """Ace on every path, in order; raises AceMissing when Ace or Chromium is not installed."""
    if not paths:
        return []
    environment = {**os.environ, "NODE_PATH": node_path(), "PUPPETEER_EXECUTABLE_PATH": browser(),
                   "PUPPETEER_SKIP_DOWNLOAD": "1"}
    completed = subprocess.run(["node", str(_SCRIPT), *map(str, paths)], capture_output=True,
                               text=True, timeout=timeout, env=environment, check=False)
    results = []
    for line in completed.stdout.splitlines():
        if not line.startswith("{"):
            continue
        data = json.loads(line)
        results.append(AceResult(Path(data["path"]), [Violation(**v) for v in
                                                       data.get("violations", [])],
                                 data.get("error", "")))
    if len(results) != len(paths):
        raise RuntimeError(f"Ace did not report every book:\n{completed.stdout}\n"
                           f"{completed.stderr}")
    return results
