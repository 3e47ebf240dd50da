"""The README's picture of ``bookmaker preview``: its page in Chromium, the seed story open.

    python docs/preview_screenshot.py            # writes docs/preview.png

Starts the real command on a free port, opens the page at a laptop's size (1440x900) in Debian's
Chromium (tests/helpers/browser.py), waits for the printed pages to be drawn, and takes the
picture; then stops the command with Ctrl-C (SIGINT).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "helpers"))

from browser import browser  # noqa: E402

WAIT_MS = 120_000


def main() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bookmaker", "preview", "manuscripts/a-new-hero.md", "--port",
         "0"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        url = next(found.group(1) for line in process.stdout
                   if (found := re.search(r" at (http://\S+) \(Ctrl-C stops\)", line)))
        with browser() as chromium:
            page = chromium.new_page(viewport={"width": 1440, "height": 900},
                                     color_scheme="light")
            page.goto(url)
            page.wait_for_function(
                "() => { const images = [...document.querySelectorAll('#print img')];"
                " return images.length > 1 && images.slice(0, 2).every(i => i.complete &&"
                " i.naturalWidth);"
                " }", timeout=WAIT_MS)
            for view in ("phone", "ereader"):
                page.locator(f"#{view}").element_handle().content_frame().evaluate(
                    "() => document.fonts.ready.then(() => true)")
            page.screenshot(path=str(REPO / "docs" / "preview.png"))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
