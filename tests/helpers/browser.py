"""A real browser for the tests of bookmaker's servers: Debian's Chromium driven through
Playwright's Python API, with nothing downloaded.

Playwright is given the system's ``chromium`` as its executable, so ``playwright install`` (which
fetches a browser of its own) is never needed. The flags keep Chromium from reaching for the
network at start (background updates, sync, QUIC), which a closed machine refuses noisily; a new
empty profile per launch keeps runs independent.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The system Chromium; the README's system step installs it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("Chromium is not installed: run the README's system step")
    return path


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(),
                                              args=CHROMIUM_FLAGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True}


def accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it stands (axe-core ships inside
    axe-playwright-python), each with its id, impact and the nodes it names."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return list(result.response.get("violations", []))
