"""Every build setting, declared once: a field here is a setting everywhere.

``RunOptions`` holds what a run needs besides the book (formats, output folder, budgets);
``BuildOptions`` what the writers read, carried to them in the render context. Each field is made
with ``schema.setting(...)``: its default, help, bookmaker.toml aliases, choices and bounds, the
commands that take it, whether changing it rebuilds a book in a batch. From these fields come the
options of ``build``, ``batch`` and ``watch``, the ``[build]`` table of bookmaker.toml, ``bookmaker
config``, the batch manifest's option hash and README's table of settings, so a new setting is one
field here and nothing else (see CONTRIBUTING.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from bookmaker.safety.limits import DEFAULT_BOOK_SECONDS, DEFAULT_MEMORY_MB, Budget
from bookmaker.settings.schema import BuildSetting, check_fields, parse_length, setting, settings_of

WARNINGS_PLACEMENTS = ("front", "end", "omit")
PAPERS = ("a5", "a4", "letter", "half-letter", "5x8", "6x9")  # the PDF's page sizes
SHEETS = ("a4", "a3", "letter", "tabloid")  # zine sheet sizes (landscape)
FLIPS = ("short", "long")  # which edge a duplex printer flips the zine's sheets on
# Bounds on what costs processes: each costs a Python with its libraries, a few hundred MB, and a
# bookmaker.toml from someone else's folder must not ask for dozens (it may ask MAX_WORKERS).
MAX_WORKERS = 16
MAX_JOBS = 64
# The commands that read a stranger's file, and so run under the one budget (time, memory).
READS_FILES = ("build", "batch", "watch", "import", "check", "inspect", "preview")


@dataclass(frozen=True)
class RunOptions:
    """What a run is asked to make and within which budgets; the book's looks are BuildOptions."""

    formats: tuple[str, ...] = setting(
        ("epub",), "Output format: {formats}; repeat the option for several.", "--format", "-f",
        aliases=("format",), rebuilds=False)  # the manifest keeps each format's own status
    out: str = setting(
        "dist", "Output folder (in bookmaker.toml: relative to the file, inside its folder).",
        "--out", "-o", rebuilds=False, path="the output folder")
    # The budget (safety/limits.py): every command that reads a stranger's file takes it.
    timeout: float = setting(
        DEFAULT_BOOK_SECONDS, "Seconds one file (a book, each work of an anthology, a file "
        "imported or checked) may take before it is stopped.", minimum=0.1, maximum=86400,
        file_maximum=DEFAULT_BOOK_SECONDS, commands=READS_FILES, rebuilds=False)
    memory_limit: int = setting(
        DEFAULT_MEMORY_MB, "Megabytes of memory the command (in a batch: each worker) may use.",
        minimum=64, maximum=1024 * 1024, file_maximum=DEFAULT_MEMORY_MB, commands=READS_FILES,
        rebuilds=False)
    jobs: int | None = setting(
        None, "Worker processes building books at once.", "--jobs", "-j", minimum=1,
        maximum=MAX_JOBS, file_maximum=MAX_WORKERS, commands=("batch",), rebuilds=False,
        default_shown="one per core")

    def __post_init__(self) -> None:
        check_fields(self)

    @property
    def budget(self) -> Budget:
        return Budget(self.timeout, self.memory_limit)


@dataclass(frozen=True)
class BuildOptions:
    """What the writers read, from the render context: the same for every book of a run."""

    warnings: str = setting("front", "Where the warnings page goes.", choices=WARNINGS_PLACEMENTS)
    style: str = setting(
        "default", "A theme name (see `bookmaker styles`) or the path of a theme folder of your "
        "own.", "--style", "--theme", aliases=("theme",), path="a theme folder",
        name_or_path=True)
    paper: str = setting("a5", "PDF: the page size.", choices=PAPERS)
    drop_caps: bool = setting(False, "PDF: open each chapter with a drop cap.")
    workers: int | None = setting(
        None, "PDF: processes laying out a long book.", minimum=1, maximum=MAX_WORKERS,
        rebuilds=False, default_shown="one per core")  # the same bytes with any number
    generated_cover: bool = setting(
        True, "A typographic cover for a book without a cover image.")
    cover: str | None = setting(
        None, "Your own cover image (PNG, JPEG, GIF or WebP), for every book built.",
        path="a cover image", default_shown="the manuscript's own")
    flip: str = setting("short", "Zine: the edge your duplex printer flips on.", choices=FLIPS)
    sheet: str | None = setting(
        None, "Zine: the sheet size.", choices=SHEETS,
        default_shown="two pages of the paper")
    signature: int | None = setting(
        None, "Zine: pages per folded signature, for thick books.", minimum=4, maximum=256,
        multiple_of=4, default_shown="one signature")
    creep: float = setting(
        0.0, "Zine: how far each inner sheet's pages move towards the spine (0.2mm, 0.01in, "
        "0.5pt).", minimum=0, maximum=5, parse=parse_length, default_shown="0mm")
    marks: bool = setting(False, "Zine: fold and crop marks.")
    guide: bool = setting(True, "Zine: a printing guide as the last sheet.")
    # For binders (fanbinding): one PDF per signature, blank leaves front and back, and a long
    # book split into volumes (at work or chapter boundaries).
    split_signatures: bool = setting(
        False, "Zine: also write one PDF per signature (with --signature), blanks at the end of "
        "the last one, for binding.")
    flyleaves: int = setting(
        0, "Zine: blank leaves (2 pages each) before and after the book.", minimum=0, maximum=10)
    volumes: int | None = setting(
        None, "Split the book into this many volumes at work or chapter boundaries, each with "
        "its own title page and contents.", minimum=1, maximum=50, default_shown="one volume")
    max_pages: int | None = setting(
        None, "Split the book into volumes of at most this many pages.", minimum=16,
        why="a volume needs room for its own title page and contents", default_shown="no limit")

    def __post_init__(self) -> None:
        check_fields(self)
        if self.volumes is not None and self.max_pages is not None:
            raise ValueError("give either volumes or max-pages, not both")


# The schema: every setting, run settings first.
SETTINGS: tuple[BuildSetting, ...] = settings_of(RunOptions) + settings_of(BuildOptions)
BY_NAME: dict[str, BuildSetting] = {item.name: item for item in SETTINGS}
OPTION_NAMES = frozenset(item.name for item in settings_of(BuildOptions))
