"""The preview's book, rebuilt in the running process on every save.

Two builds answer a save, one after the other:

- **the quick one** (Markdown manuscripts, when a save changed one chapter's text and nothing
  else): that chapter alone is read again (chunks.py), finished, put in place of its old self in
  the last book, and rendered by the EPUB writer's ``chapter_documents``: tens of milliseconds
  however long the book;
- **the whole one**, always, on a thread of its own: settings, read, finish and every document,
  exactly as ``bookmaker build`` makes them (``convert.typeset``, the EPUB writer's
  ``content_documents``). Its book replaces whatever the quick one showed, so what the preview
  settles on is the book ``build`` would write, footnotes, ids and all.

A save made while the whole build runs makes that build's result stale: it is dropped and the
thread starts again on the newest text. A mistake (a bad front matter field, a theme that does
not exist) is published as the error, with the last good book kept beneath it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bookmaker import readers
from bookmaker.convert import settings_at, typeset
from bookmaker.errors import BookmakerError, Finding, ManuscriptError
from bookmaker.model import Book
from bookmaker.preview import chunks
from bookmaker.readers.decoding import read_text
from bookmaker.safety.budgets import check_depth
from bookmaker.safety.limits import within
from bookmaker.terminal import printable
from bookmaker.settings.context import RenderContext
from bookmaker.settings.themes import theme_names
from bookmaker.writers.epub import Page, chapter_documents, content_documents

MARKDOWN = "markdown"  # the reader (readers.READERS) whose manuscripts are cut into chapters
# What the spine's pages without a contents entry are called in the preview's navigation.
_UNLABELLED = {"cover": "Cover", "titlepage": "Title page"}


def digest(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()[:12]


@dataclass(frozen=True)
class Document:
    """One XHTML document of the book, in reading order."""

    href: str
    id: str
    label: str
    content: bytes
    digest: str


@dataclass(frozen=True)
class File:
    """The stylesheet or an image, as the documents refer to it (``css/book.css``...)."""

    media_type: str
    content: bytes
    digest: str


@dataclass(frozen=True)
class Snapshot:
    """What the preview shows at one moment: the last good book, and the mistake that keeps the
    newest save from being shown, if any. ``settled`` is False while the quick build's book
    waits for the whole build's."""

    version: int = 0
    documents: tuple[Document, ...] = ()
    files: Mapping[str, File] = field(default_factory=dict)
    book: Book | None = None
    context: RenderContext | None = None
    warnings: tuple[str, ...] = ()
    error: str | None = None
    theme: str = ""
    themes: tuple[str, ...] = ()
    settled: bool = True

    def document(self, href: str) -> Document | None:
        return next((one for one in self.documents if one.href == href), None)

    def state(self) -> dict[str, Any]:
        """The snapshot as the page is told it (everything but the contents)."""
        title = self.book.metadata.title if self.book else ""
        return {"version": self.version, "title": title, "error": self.error,
                "warnings": list(self.warnings), "theme": self.theme,
                "themes": list(self.themes), "settled": self.settled,
                "documents": [{"href": one.href, "id": one.id, "label": one.label,
                               "digest": one.digest} for one in self.documents],
                "files": {href: one.digest for href, one in self.files.items()}}


@dataclass(frozen=True)
class _Base:
    """The last book shown, with what a quick build needs to change one chapter of it."""

    manuscript: chunks.Manuscript | None  # the text it was read from, cut into chapters
    book: Book
    context: RenderContext
    documents: tuple[Document, ...]
    files: Mapping[str, File]
    warnings: tuple[str, ...]


class PreviewBuilder:
    """Keeps the newest good book of one manuscript and tells ``publish`` of every change."""

    def __init__(self, path: Path, style: str | None, publish: Callable[[Snapshot], None],
                 before_confirming: Callable[[Snapshot], None] | None = None,
                 given: Mapping[str, object] | None = None) -> None:
        self.path = path
        self.publish = publish
        # The settings the command line gave besides the theme (the budget: --timeout...).
        self._given = dict(given or {})
        self._seconds: float | None = None  # each build's time limit, from the last settings
        # Called on the build thread with a quick build's snapshot, before the whole build that
        # confirms it: the print view lays out the chapter on screen first, rather than share
        # the processor with a build whose book is, nearly always, the one already shown.
        self.before_confirming = before_confirming
        self._theme = style  # None: bookmaker.toml's or the default
        # A folder named on the command line or in bookmaker.toml is offered beside the shipped
        # themes, by the same words.
        self._own_themes: tuple[str, ...] = (style,) if style and style not in theme_names() \
            else ()
        self._lock = threading.Lock()
        self._snapshot = Snapshot()
        self._base: _Base | None = None
        self._generation = 0
        self._wanted = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._whole_builds, name="preview-build",
                                        daemon=True)

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def themes(self) -> tuple[str, ...]:
        """The themes the page offers: the shipped ones, and a folder named on the command
        line or in bookmaker.toml. Nothing else: the page may not name a folder to read."""
        return (*theme_names(), *self._own_themes)

    def start(self) -> None:
        """The first whole build, before anyone looks; then builds follow saves."""
        self._build_whole(self._generation)
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._wanted.set()

    def saved(self, changed: Iterable[Path]) -> None:
        """Files changed: the quick build if it applies, and the whole build in any case."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        # An editor's save may touch other files beside it (a backup, a swap file): the
        # manuscript among them is enough for the quick build, as the whole build follows.
        # While a mistake is shown, only the whole build may say it is gone: the quick one
        # does not know what else the whole book holds (a bad bookmaker.toml, say).
        if self.path.resolve() in {path.resolve() for path in changed} and \
                self._snapshot.error is None:
            self._build_quickly(generation)
        self._wanted.set()

    def choose_theme(self, name: str) -> bool:
        """Show the book in theme ``name`` (one of ``themes``); False for any other name."""
        if name not in self.themes:
            return False
        with self._lock:
            self._theme = name
            self._generation += 1
        self._wanted.set()
        return True

    # ------------------------------------------------------------------ the whole build

    def _whole_builds(self) -> None:
        while True:
            self._wanted.wait()
            if self._stopping:
                return
            self._wanted.clear()
            shown = self._snapshot
            if not shown.settled and shown.error is None and self.before_confirming:
                self.before_confirming(shown)
            self._build_whole(self._generation)

    def _build_whole(self, generation: int) -> None:
        theme = self._theme
        try:
            run, context, config_warnings = settings_at(self.path,
                                                        {**self._given, "style": theme})
            self._seconds = run.timeout
            # Within the budget, as a build: a stranger's file that hangs or swells is a
            # mistake shown like any other, and the preview goes on.
            with within(self.path, run.timeout):
                text, book, found = self._read(self.path)
                if generation != self._generation:
                    return  # saved again meanwhile: the rest would be thrown away
                book, dropped = typeset(book, self.path, context)
                documents = content_documents(book, context)
        except BaseException as problem:  # every failure is shown; none stops the preview
            if isinstance(problem, (KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            self._publish_error(generation, _message(problem, self.path), settled=True)
            return
        manuscript = chunks.split(text) if text is not None else None
        if context.options.style not in (*theme_names(), *self._own_themes):
            self._own_themes = (*self._own_themes, context.options.style)
        warnings = tuple(str(finding) for finding in (*config_warnings, *found, *dropped))
        files = {documents.stylesheet.href: _file(documents.stylesheet.media_type,
                                                  documents.stylesheet.content)}
        files.update(_image_files(documents.images.resources()))
        base = _Base(manuscript, documents.book, context,
                     tuple(_documents(documents.pages)), files, warnings)
        self._publish(generation, base, settled=True)

    def _read(self, path: Path) -> tuple[str | None, Book, list[Finding]]:
        """The book as read, and its text when it is a Markdown manuscript (to be cut into
        chapters for the quick builds to come)."""
        info, source = readers.open_input(path)
        book, found = readers.read_source(info, source)
        check_depth(book, path)
        text = read_text(source)[0] if info.name == MARKDOWN else None
        return text, book, [finding for finding in found if finding.level != "error"]

    # ------------------------------------------------------------------ the quick build

    def _build_quickly(self, generation: int) -> None:
        """The one chapter a save changed, put in place in the last book; nothing when the
        save was more than that (the whole build follows either way)."""
        base = self._base
        if base is None or base.manuscript is None:
            return
        try:
            with within(self.path, self._seconds):
                info, source = readers.open_input(self.path)
                if info.name != MARKDOWN:
                    return
                text = read_text(source)[0]
                new = chunks.split(text)
                if new is None:
                    return
                index = chunks.changed_chapter(base.manuscript, new)
                if index is None or not chunks.stands_alone(base.manuscript, new, index):
                    return
                number = _chapter_number(base, index)
                if number is None:
                    return
                chunk = new.opening if index == -1 else new.chapters[index]
                # The chapter alone, as the same reader reads it; the text is the file's, decoded
                # once, so it goes to the reader as UTF-8 whatever the file's own encoding.
                alone, _ = readers.read_source(info, dataclasses.replace(
                    source, data=new.alone(chunk).encode("utf-8")))
                check_depth(alone, self.path)
                if len(alone.chapters) != 1:
                    return
                finished, _ = typeset(alone, self.path, base.context)
                book = _with_chapter(base.book, number, finished)
                pages, images = chapter_documents(book, number, base.context)
        except (BookmakerError, OSError, RecursionError):
            # Said by the whole build, which knows the rest of the book: the chapter read alone
            # may fail for want of it (an emptied chapter, where the book has others).
            return
        files = {**_image_files(images.resources()), **base.files}  # known names keep theirs
        documents = _replace_chapter(base.documents, number, _documents(pages))
        self._publish(generation, dataclasses.replace(
            base, manuscript=new, book=book, documents=documents, files=files), settled=False)

    # ------------------------------------------------------------------ publishing

    def _publish(self, generation: int, base: _Base, settled: bool) -> None:
        with self._lock:
            if generation != self._generation:
                return  # a newer save is being built
            self._base = base
            self._snapshot = Snapshot(
                self._snapshot.version + 1, base.documents, base.files, base.book, base.context,
                base.warnings, None, base.context.options.style, self.themes, settled)
            snapshot = self._snapshot
        self.publish(snapshot)

    def _publish_error(self, generation: int, message: str, settled: bool) -> None:
        with self._lock:
            if generation != self._generation:
                return
            self._snapshot = dataclasses.replace(
                self._snapshot, version=self._snapshot.version + 1, error=message,
                settled=settled, themes=self.themes,
                theme=self._snapshot.theme or (self._theme or ""))
            snapshot = self._snapshot
        self.publish(snapshot)


def _message(problem: BaseException, path: Path) -> str:
    """The line the page shows: ``file:line: problem (what to do)`` for a manuscript's
    mistake, the error's own words for a setting's, and a report request for anything else."""
    if isinstance(problem, ManuscriptError):
        return str(problem.located(path))
    if isinstance(problem, BookmakerError):
        return str(problem)
    if isinstance(problem, OSError):
        return printable(f"{problem.filename or path}: {problem.strerror or problem} "
                         "(the preview goes on with the next save)")
    if isinstance(problem, RecursionError):
        return str(ManuscriptError("the text is nested too deeply to be read", path,
                                   hint="flatten the nesting and save again"))
    return printable(f"{path}: internal error: {type(problem).__name__}: {str(problem)[:300]} "
                     "(please report it with this file)")


def _file(media_type: str, content: bytes) -> File:
    return File(media_type, content, digest(content))


def _image_files(resources: Iterable[Any]) -> dict[str, File]:
    return {resource.href: _file(resource.media_type, resource.content)
            for resource in resources}


def _documents(pages: Iterable[Page]) -> list[Document]:
    """The spine's pages as the preview lists them (not the reading system's contents page)."""
    documents: list[Document] = []
    for page in pages:
        if page.id == "nav":
            continue
        label = page.label or _UNLABELLED.get(page.id) or \
            (f"{documents[-1].label.removesuffix(' (continued)')} (continued)" if documents
             else page.id)
        documents.append(Document(page.href, page.id, label, page.content, digest(page.content)))
    return documents


def _chapter_number(base: _Base, index: int) -> int | None:
    """The 1-based chapter the chunk ``index`` became in the base book: the text before the
    first heading is a chapter of its own only when it holds something."""
    assert base.manuscript is not None
    headed = len(base.manuscript.chapters)
    untitled = len(base.book.chapters) - headed
    if untitled not in (0, 1):
        return None
    if index == -1:
        return 1 if untitled else None
    return index + 1 + untitled


def _with_chapter(book: Book, number: int, alone: Book) -> Book:
    """``book`` with chapter ``number`` taken from ``alone``, and the images it carries."""
    chapters = (*book.chapters[:number - 1], alone.chapters[0], *book.chapters[number:])
    known = {file.name for file in book.embedded}
    embedded = (*book.embedded, *(file for file in alone.embedded if file.name not in known))
    return dataclasses.replace(book, chapters=chapters, embedded=embedded)


def _replace_chapter(documents: tuple[Document, ...], number: int,
                     pages: list[Document]) -> tuple[Document, ...]:
    """``documents`` with chapter ``number``'s (its parts too) replaced by ``pages``."""
    own = f"chapter-{number:03d}"
    positions = [i for i, one in enumerate(documents)
                 if one.id == own or one.id.startswith(own + "-")]
    if not positions:
        return documents
    return (*documents[:positions[0]], *pages, *documents[positions[-1] + 1:])
