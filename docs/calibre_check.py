"""Calibre's Check Book on EPUBs, headless: prints every error and warning it reports.

A development tool, not part of CI (calibre is a large install): run it after changing a theme's
CSS to keep the books clean in the editor many readers open them in.

    QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox \
    calibre-debug -c "import runpy; runpy.run_path('docs/calibre_check.py', run_name='__main__')" \
        -- book.epub [more.epub...]

(Check Book runs its CSS checks in Qt WebEngine: offscreen needs no display, and Chromium inside it
refuses to start as root without --no-sandbox.) The themes' books report no errors; the one
warning, "Non-linear items in the spine", is the contents page, kept out of the reading order on
purpose.

Exit code 1 if any book has an error.
"""

import sys
import tempfile

from calibre.ebooks.oeb.polish.check.main import run_checks
from calibre.ebooks.oeb.polish.container import get_container
from calibre.utils.logging import default_log


def check(path):
    with tempfile.TemporaryDirectory() as scratch:
        container = get_container(path, tdir=scratch, log=default_log)
        return run_checks(container)


def main(paths):
    errors = 0
    for path in paths:
        for problem in check(path):
            level = {0: "debug", 1: "info", 2: "warning", 3: "error", 4: "critical"}.get(
                problem.level, str(problem.level))
            errors += problem.level >= 3
            print(f"{path}: {level}: {problem.name}:{problem.line or 0}: {problem.msg}")
    print(f"{errors} error(s) in {len(paths)} book(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv[1:] if a != "--"]))
