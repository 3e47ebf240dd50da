"""The command line as a user meets it: real processes, real files, exit codes and messages."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from bookmaker.settings.options import SETTINGS

REPO = Path(__file__).resolve().parent.parent


def run(*args: str | Path, cwd: Path | None = None, env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "bookmaker", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=600)


def test_version_and_help_on_every_command():
    assert run("--version").stdout.startswith("bookmaker ")
    for command in ("build", "inspect", "check", "new"):
        result = run(command, "--help")
        assert result.returncode == 0
        assert "Examples" in result.stdout and f"bookmaker {command}" in result.stdout


def test_build_seed_text_file(tmp_path, seed_path):
    result = run("build", seed_path, "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["a-new-hero.epub"]
    assert zipfile.ZipFile(tmp_path / "a-new-hero.epub").read("mimetype") == b"application/epub+zip"


def test_build_the_example_manuscripts_folder(tmp_path):
    result = run("build", REPO / "manuscripts", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a-new-hero.epub").is_file()


def test_two_builds_with_one_source_date_epoch_are_byte_identical(tmp_path, seed_path):
    for out in ("one", "two"):
        assert run("build", seed_path, "-o", tmp_path / out,
                   env={"SOURCE_DATE_EPOCH": "1234567890"}).returncode == 0
    assert (tmp_path / "one" / "a-new-hero.epub").read_bytes() == \
        (tmp_path / "two" / "a-new-hero.epub").read_bytes()


def test_build_epub_does_not_import_pdf_machinery(tmp_path, seed_path):
    code = ("import sys; from bookmaker.cli import app\n"
            f"try:\n    app(['build', {str(seed_path)!r}, '-o', {str(tmp_path)!r}])\n"
            "except SystemExit as e:\n    assert not e.code, e.code\n"
            "bad = [m for m in sys.modules\n"
            "       if m.startswith(('weasyprint', 'bookmaker.writers.pdf',\n"
            "                        'bookmaker.preview', 'pypdfium2', 'http.server'))]\n"
            "assert not bad, bad\nprint('clean')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.splitlines()[-1] == "clean", result.stderr


def test_same_title_twice_in_one_folder_gives_two_books(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("one.md", "two.md"):
        (src / name).write_text(f"---\ntitle: Same\n---\n\nText of {name}.\n", encoding="utf-8")
    result = run("build", src, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["same-2.epub", "same.epub"]


def test_inspect_outline_and_json(seed_path):
    outline = run("inspect", seed_path)
    assert outline.returncode == 0
    assert "title: A New Hero" in outline.stdout and "SceneBreak" in outline.stdout
    as_json = run("inspect", seed_path, "--json")
    assert as_json.stdout.lstrip().startswith('{\n  "type": "Book"')


def test_check_suggests_the_rating(tmp_path):
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: T\nrating: Mature Audiences\n---\n\nText.\n", encoding="utf-8")
    result = run("check", story)
    # A warning, as from every reader (readers/metadata.py): the value is kept as a content note.
    assert result.returncode == 0
    assert result.stdout.startswith(f"{story}:3: warning: unknown rating 'Mature Audiences'")
    assert "Mature'?" in result.stdout and "ok: no errors, 1 warning(s)" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_passes_the_seed_manuscript():
    result = run("check", REPO / "manuscripts")
    assert result.returncode == 0, result.stdout + result.stderr


BAD_INPUTS = {
    "empty.md": (b"", "empty"),
    "binary.txt": (bytes(range(256)) * 4, "binary"),
    "malformed.md": (b"---\ntitle: [unclosed\nrating: Mature\n---\n\nText.\n", "YAML"),
    "python-tag.md": (b"---\ntitle: !!python/object/apply:os.system [\"touch pwned\"]\n---\n\nx\n",
                      "tag"),
    # (An unknown rating is only a warning: readers/metadata.py.)
    "series.md": (b"---\ntitle: T\nseries: {name: S, index: two}\n---\n\nText.\n", "two"),
    "unclosed.md": (b"---\ntitle: T\n---\n\n::: note\nnever closed\n\nText.\n", ":::"),
    "path-title.md": (b"---\ntitle: ../../x\n---\n\nText.\n", "path"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gets_one_clear_message_and_nothing_is_written(tmp_path, name):
    content, expected = BAD_INPUTS[name]
    source = tmp_path / name
    source.write_bytes(content)
    out = tmp_path / "out"
    result = run("build", source, "-o", out, cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(str(source)) and expected.lower() in first.lower(), result.stderr
    assert not out.exists() or list(out.iterdir()) == []
    assert not (tmp_path / "pwned").exists()


def test_missing_file_and_empty_folder(tmp_path):
    missing = run("build", tmp_path / "nope.md", "-o", tmp_path / "out")
    assert missing.returncode != 0 and "nope.md" in missing.stderr and "no such" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run("build", empty, "-o", tmp_path / "out")
    assert nothing.returncode != 0 and "no manuscripts" in nothing.stderr
    assert "Traceback" not in missing.stderr + nothing.stderr
    assert not (tmp_path / "out").exists()


def test_one_bad_manuscript_does_not_stop_the_others(tmp_path, seed_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "bad.md").write_bytes(b"---\nseries: {index: 2}\n---\n\nx\n")
    (src / "good.txt").write_bytes(seed_path.read_bytes())
    result = run("build", src, "-o", tmp_path / "out")
    assert result.returncode == 1
    assert "bad.md" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a-new-hero.epub"]


def test_unknown_warnings_placement_is_a_usage_error(tmp_path, seed_path):
    result = run("build", seed_path, "--warnings", "middle", "-o", tmp_path)
    assert result.returncode == 2 and "front, end, omit" in result.stderr


@pytest.mark.parametrize("reference", ["missing.png", "../outside.png", "/etc/hosts",
                                       "file:///etc/passwd", "http://127.0.0.1:9/x.png"])
def test_an_unreadable_image_is_dropped_with_a_warning_and_the_book_builds(tmp_path, reference):
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    src = tmp_path / "src"
    src.mkdir()
    story = src / "story.md"
    story.write_text(f"---\ntitle: Pictures\ncover: {reference}\n---\n\nBefore.\n\n"
                     f"![a map]({reference})\n\nAfter.\n", encoding="utf-8")
    result = run("build", story, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert any(line.startswith(f"{story}:8: warning:") for line in warnings), result.stderr
    assert any("without a cover" in line for line in warnings), result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "pictures.epub") as book:
        # Only the generated cover: neither the image nor the refused cover came in.
        assert [n for n in book.namelist() if n.startswith("EPUB/images/")] == \
            ["EPUB/images/cover.jpg"]
        chapter = book.read("EPUB/chapter-001.xhtml").decode()
    assert "Before." in chapter and "After." in chapter and "<img" not in chapter


def test_new_writes_a_manuscript_that_builds(tmp_path):
    made = run("new", "Brand New Fic", "-d", tmp_path / "drafts")
    assert made.returncode == 0, made.stderr
    path = tmp_path / "drafts" / "brand-new-fic.md"
    assert str(path) in made.stdout
    assert run("build", path, "-o", tmp_path / "out").returncode == 0
    again = run("new", "Brand New Fic", "-d", tmp_path / "drafts")
    assert again.returncode == 1 and "already exists" in again.stderr


# ------------------------------------------------------------------ an honest CLI (issue 12)

COMMANDS = ("build", "inspect", "check", "import", "new", "batch", "watch", "config", "styles")


def _help(*command: str) -> str:
    """The help as a wide terminal shows it (no wrapping to split a default in two)."""
    result = run(*command, "--help", env={"COLUMNS": "250", "TERM": "dumb"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def _setting_flags(command: str) -> set[str]:
    return {flag for item in SETTINGS if command in item.commands
            for spelling in item.flags for flag in spelling.split("/") if flag.startswith("--")}


def test_every_default_is_visible_in_help():
    """Rich markup used to take "[default: epub]" for a tag and print nothing of it. Each
    setting's default is the schema's (settings/options.py), on every command that takes it."""
    defaults = {command: [item.default_shown for item in SETTINGS if command in item.commands]
                for command in ("build", "batch", "watch")}
    assert {"epub", "dist", "front", "a5", "one per core", "0mm", "300"} <= set(defaults["batch"])
    defaults.update({"import": ["manuscripts"], "new": ["manuscripts"],
                     "config": ["the current folder"]})
    for command, shown in defaults.items():
        text = _help(command)
        for value in shown:
            assert f"[default: {value}]" in text, (command, value)
    for command in COMMANDS:
        text = _help(command)
        # What a swallowed default left: "repeat for several ." (a space before the stop).
        assert not re.search(r"\w [.;](\s|$)", text), command


def test_help_and_readme_describe_what_exists():
    top = _help()
    assert "next" not in top and "EPUB now" not in top
    for words in ("EPUB", "PDF", "zines", "import", "Dask"):
        assert words in top
    for command in COMMANDS:
        assert f" {command} " in top or f"│ {command}" in top, command
    build = _help("build")
    for suffix in (".md", ".txt", ".html", ".epub", ".docx"):
        assert suffix in build
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "EPUB for e-readers today" not in readme and "zines next" not in readme
    synopsis = readme.split("## Commands", 1)[1].split("```", 2)[1]
    for command in COMMANDS:
        assert f"bookmaker {command}" in synopsis, command
    # Every option of build, batch and watch is a setting of the table or in the synopsis, and
    # the synopsis names nothing that is not.
    for command in ("build", "batch", "watch"):
        text = _help(command)
        offered = set(re.findall(r"(--[a-z][a-z-]+)", text)) - {"--help"}
        lines = [line for line in synopsis.split("\nbookmaker ")
                 if line.startswith(command + " ")]
        written = set(re.findall(r"(--[a-z][a-z-]+)", lines[0]))
        assert "[SETTING...]" in lines[0], command
        assert offered - _setting_flags(command) == written - _setting_flags(command), command
        assert _setting_flags(command) <= offered, command


def test_the_readme_installs_the_distribution_by_its_own_name():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pip install 'bookmaker" not in readme and "pip install bookmaker" not in readme
    assert "pip install 'fanfic-bookmaker[cluster]'" in readme


@pytest.mark.parametrize(("args", "meant"), [
    (("-f", "pfd"), "'pdf'"), (("--warnings", "frnt"), "'front'"),
    (("--paper", "leter"), "'letter'"), (("--sheet", "tabliod"), "'tabloid'"),
    (("--flip", "shrt"), "'short'")])
@pytest.mark.parametrize("command", ["build", "batch"])
def test_every_enumerated_option_suggests_what_was_meant(tmp_path, command, args, meant):
    src = tmp_path / "src"
    src.mkdir()
    (src / "story.md").write_text("---\ntitle: T\n---\n\nText.\n", encoding="utf-8")
    result = run(command, src, "-o", tmp_path / "out", *args)
    assert result.returncode == 2, result.stderr
    assert f"did you mean {meant}?" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_watch_refuses_a_bad_format_or_a_missing_file_at_once(tmp_path):
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: T\n---\n\nText.\n", encoding="utf-8")
    typo = run("watch", story, "-f", "pfd", "-o", tmp_path / "out")  # run() times out at 120 s
    assert typo.returncode == 2 and "did you mean 'pdf'?" in typo.stderr
    missing = run("watch", tmp_path / "nosuch.md", "-o", tmp_path / "out")
    assert missing.returncode == 2 and "nosuch.md: no such file" in missing.stderr
    assert not (tmp_path / "out").exists()


def test_paper_and_sheet_names_match_in_any_case(tmp_path, seed_path):
    result = run("build", seed_path, "--paper", "A4", "--sheet", "Letter", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    (tmp_path / "bookmaker.toml").write_text('[build]\npaper = "Half-Letter"\n', encoding="utf-8")
    shown = run("config", tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "'half-letter'" in shown.stdout


def test_a_yaml_error_points_at_the_unclosed_bracket_and_where_yaml_stopped(tmp_path):
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: [Draft\nauthor: Me\nrating: General Audiences\n"
                     "language: en\n---\n\nText.\n", encoding="utf-8")
    result = run("check", story)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{story}:2: "), result.stdout
    assert "'['" in result.stdout and "stopped at line 3" in result.stdout


def test_a_bad_theme_in_bookmaker_toml_is_traced_to_its_line(tmp_path, seed_path):
    (tmp_path / "bookmaker.toml").write_text('[build]\nformats = ["epub"]\ntheme = "modrn"\n',
                                             encoding="utf-8")
    story = tmp_path / "story.txt"
    story.write_bytes(seed_path.read_bytes())
    built = run("build", story, "-o", tmp_path / "out")
    where = f"{tmp_path / 'bookmaker.toml'}:3: unknown theme 'modrn'"
    assert built.returncode == 2 and where in built.stderr, built.stderr
    assert "did you mean 'modern'?" in built.stderr
    shown = run("config", tmp_path)
    assert shown.returncode == 1 and where in shown.stderr, shown.stderr


def test_config_of_a_missing_path_fails(tmp_path):
    result = run("config", tmp_path / "nosuch")
    assert result.returncode == 1 and "nosuch: no such file or folder" in result.stderr


def test_an_empty_folder_is_named_not_counted_as_a_failed_manuscript(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("build", empty, "-o", tmp_path / "out")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == f"bookmaker: no manuscripts in {empty}"
    assert "failed" not in result.stderr


def test_batch_of_a_missing_folder_says_so(tmp_path):
    result = run("batch", "nosuch", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert "nosuch: no such folder" in result.stderr and "inside the source" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_batch_into_a_folder_that_cannot_be_written_is_a_message_not_a_traceback(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "story.md").write_text("---\ntitle: T\n---\n\nText.\n", encoding="utf-8")
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    result = run("batch", src, "-o", tmp_path / "a-file" / "books")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot create the output folder" in result.stderr and "-o" in result.stderr


def test_an_unreachable_scheduler_fails_before_anything_is_written(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    src = tmp_path / "src"
    src.mkdir()
    (src / "story.md").write_text("---\ntitle: T\n---\n\nText.\n", encoding="utf-8")
    result = run("batch", src, "-o", tmp_path / "out", "--scheduler", f"tcp://127.0.0.1:{port}")
    assert result.returncode == 1
    assert "cannot reach the Dask scheduler" in result.stderr and "Traceback" not in result.stderr
    assert "building" not in result.stdout  # no progress was shown
    assert not (tmp_path / "out").exists()


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]


def _layout_workers(pid: int) -> list[int]:
    """The children of ``pid`` that are layout workers (spawned interpreters), not
    multiprocessing's resource tracker."""
    workers = []
    for child in _children(pid):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                if b"spawn_main" in cmdline.read():
                    workers.append(child)
        except FileNotFoundError:
            continue
    return workers


def _running(pid: int) -> bool:
    """True for a live process (a zombie waiting to be reaped is not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_parallel_pdf_stops_its_workers_and_says_so(tmp_path, signum):
    """Before: SIGTERM ended the main process alone and its layout workers went on; Ctrl-C
    waited for every worker to finish its parts, and printed nothing."""
    chapters = "".join(f"# Chapter {n}\n\n" + "Words upon words, line after line. " * 700 + "\n\n"
                       for n in range(1, 13))
    story = tmp_path / "long.md"
    story.write_text("---\ntitle: Long\n---\n\n" + chapters, encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "bookmaker", "build", str(story), "-f", "pdf", "--workers", "2",
         "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        workers: list[int] = []
        deadline = time.monotonic() + 120
        while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
            workers = _layout_workers(process.pid)
            time.sleep(0.05)
        assert len(workers) == 2, "the layout workers never started"
        process.send_signal(signum)  # the layout is under way
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    name = signal.Signals(signum).name
    assert process.returncode == 128 + signum, err
    assert f"build stopped by {name}" in err and "nothing half-written" in err, err
    assert "Traceback" not in err
    assert not [pid for pid in workers if _running(pid)]
    assert not out.exists() or list(out.iterdir()) == []


# ------------------------------------------------------------------ formats are independent (21)

SEED_MANUSCRIPT = REPO / "manuscripts" / "a-new-hero.md"  # 19 pages: too long for a mini-zine
TOO_LONG = "[minizine]: too long for a mini-zine"


def _formats(*names: str) -> list[str]:
    return [word for name in names for word in ("-f", name)]


@pytest.mark.parametrize("formats, written", [
    (("zine", "minizine", "kepub"), ["a-new-hero.kepub.epub", "a-new-hero.zine.pdf"]),
    (("minizine", "epub"), ["a-new-hero.epub"]),
], ids=["failing-one-in-the-middle", "failing-one-first"])
def test_a_format_that_fails_is_reported_and_every_other_is_written(tmp_path, formats, written):
    """Before: the zine was written but never reported, the kepub never attempted (and with the
    mini-zine first, nothing at all), and all that was said was "1 of 1 manuscripts failed"."""
    out = tmp_path / "out"
    result = run("build", SEED_MANUSCRIPT, *_formats(*formats), "-o", out)
    assert result.returncode == 1, result.stderr
    assert sorted(p.name for p in out.iterdir()) == written
    assert sorted(result.stdout.splitlines()) == sorted(
        f"{SEED_MANUSCRIPT} -> {out / name}" for name in written)
    assert f"{SEED_MANUSCRIPT} {TOO_LONG}: it needs" in result.stderr, result.stderr
    assert "1 of 1 manuscripts failed" in result.stderr and "Traceback" not in result.stderr


def test_an_anthologys_failed_format_leaves_its_other_formats_written(tmp_path):
    from anthology_material import rain_folder

    spec = rain_folder(tmp_path / "rain")
    out = tmp_path / "out"
    result = run("build", spec, *_formats("minizine", "epub"), "-o", out)
    assert result.returncode == 1, result.stderr
    assert [p.name for p in out.iterdir()] == ["rain-stories.epub"]
    assert f"-> {out / 'rain-stories.epub'}" in result.stdout
    assert f"{spec} {TOO_LONG}" in result.stderr, result.stderr


def test_an_omnibuss_failed_format_leaves_its_other_formats_written(tmp_path):
    series = REPO / "tests" / "data" / "anthology" / "series"
    out = tmp_path / "out"
    result = run("build", series / "Small_Hours-31234567.html",
                 series / "First_Light-31299001.html", series / "Closing_Time-31355555.epub",
                 "--omnibus", *_formats("minizine", "epub"), "-o", out)
    assert result.returncode == 1, result.stderr
    assert [p.name for p in out.iterdir()] == ["soho-nights.epub"]
    assert f"Soho Nights -> {out / 'soho-nights.epub'}" in result.stdout
    assert f"Soho Nights {TOO_LONG}" in result.stderr, result.stderr
