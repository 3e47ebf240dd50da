"""safety/limits.py: the one budget, in whichever thread the work runs."""

from __future__ import annotations

import threading

import pytest

from bookmaker.safety.limits import (Budget, BookTimeout, OverBudget, memory_limit, time_limit,
                                     within)
from bookmaker.settings.options import READS_FILES, BY_NAME, RunOptions


def _spin() -> None:
    while True:  # Python code the limit must interrupt, as a runaway parse would be
        pass


def test_the_main_thread_is_stopped_at_the_limit_naming_the_file():
    with pytest.raises(OverBudget) as stopped, within("story.md", 0.2):
        _spin()
    assert str(stopped.value) == ("story.md: took longer than 0.2 s, the time limit of one file "
                                  "(raise it with --timeout if the file is really that large)")


def test_another_thread_is_stopped_too():
    """The preview builds on a thread of its own, where SIGALRM never arrives."""
    caught: list[BaseException] = []

    def work() -> None:
        try:
            with time_limit("story.md", 0.2):
                _spin()
        except BookTimeout as stopped:
            caught.append(stopped)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert [str(error) for error in caught] == [
        "story.md: took longer than 0.2 s, the time limit of one file (raise it with --timeout "
        "if the file is really that large)"]


def test_a_body_that_ends_in_time_is_never_interrupted_afterwards():
    """The timer and the end of the body are exclusive: nothing is raised in the code after."""
    finished = threading.Event()

    def work() -> None:
        for _ in range(200):
            with time_limit("story.md", 60):
                sum(range(100))
        finished.set()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout=120)
    assert finished.is_set()


def test_memory_met_is_the_files_error_not_a_crash():
    with pytest.raises(OverBudget, match=r"story\.md: needed more memory than the limit"), \
            within("story.md", None):
        raise MemoryError


def test_the_memory_limit_is_lowered_and_put_back():
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory_limit(64 * 1024):  # 64 GB: far above what the tests use
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        assert soft <= 64 * 1024 * 2**20
        with memory_limit(128 * 1024):  # never raised
            assert resource.getrlimit(resource.RLIMIT_AS)[0] == soft
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_one_budget_with_the_same_defaults_for_every_command_that_reads_files():
    for name in ("timeout", "memory_limit"):
        assert set(BY_NAME[name].commands) == set(READS_FILES)
    assert RunOptions().budget == Budget()
    assert RunOptions(timeout=5, memory_limit=100).budget == Budget(5, 100)
    assert {"build", "batch", "watch", "import", "check", "inspect", "preview"} <= set(READS_FILES)
