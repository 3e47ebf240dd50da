"""The build settings as command-line options, made from the schema (settings/options.py).

Typer reads a command's options from its signature and has no way to share a group of them, so
``takes_settings(command)`` writes the signature: the command's own parameters, then one option
per setting the schema gives ``command``, each with the schema's flags, help, values and default.
The command receives the values given as one ``settings`` dict (None for a setting not given, so
that bookmaker.toml and the built-in default can fill it: settings/config.py decides, in one
place). A new setting therefore appears on every command that takes it, and only there.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from bookmaker.cli.app import with_default
from bookmaker.cli.common import fail, option_kind
from bookmaker.settings.options import SETTINGS
from bookmaker.settings.schema import BuildSetting
from bookmaker.writers import BOOK_FORMATS

if TYPE_CHECKING:
    from bookmaker.safety.limits import Budget

Command = TypeVar("Command", bound=Callable[..., Any])
# Rich markup would take a bare [build] for a tag and print nothing of it.
PANEL = "Settings (also in bookmaker.toml's \\[build]: see `bookmaker config`)"
# The commands that read no bookmaker.toml: what they take of the schema is the budget alone.
WITHOUT_CONFIG = ("import", "check", "inspect")
BUDGET_PANEL = "Limits (the same for every command that reads files)"


def takes_settings(command: str) -> Callable[[Command], Command]:
    """Give the decorated Typer command an option for every setting ``command`` takes; it is
    called with them gathered in its ``settings`` parameter."""
    chosen = [item for item in SETTINGS if command in item.commands]

    def decorate(function: Command) -> Command:
        own = [parameter for parameter in
               inspect.signature(function, eval_str=True).parameters.values()
               if parameter.name != "settings"]
        panel = BUDGET_PANEL if command in WITHOUT_CONFIG else PANEL
        added = [inspect.Parameter(item.name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                   annotation=option(item, panel)) for item in chosen]
        parameters = [parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY)
                      for parameter in own] + added

        @functools.wraps(function)
        def with_settings(**given: Any) -> Any:
            settings = {item.name: given.pop(item.name) for item in chosen}
            return function(settings=settings, **given)

        with_settings.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        with_settings.__annotations__ = {p.name: p.annotation for p in parameters}
        return with_settings  # type: ignore[return-value]

    return decorate


def option(item: BuildSetting, panel: str = PANEL) -> Any:
    """The Typer option for one setting: ``None`` when not given."""
    kind: Any = list[str] if option_kind(item) is list else option_kind(item)
    return Annotated[kind | None, typer.Option(
        *item.flags, help=with_default(item.described(BOOK_FORMATS), item.default_shown),
        show_default=False, rich_help_panel=panel)]


def budget_of(given: dict[str, Any]) -> Budget:
    """The budget of a command that takes no bookmaker.toml (``import``, ``check``,
    ``inspect``): the command line's --timeout and --memory-limit, else the schema's defaults,
    the same as every other command's. A bookmaker.toml could only lower them (a file from
    someone else's folder may not raise a budget), so these commands, which may be run on any
    stranger's folder, need not read one. A bad value ends the command with exit code 2."""
    from bookmaker.settings.options import RunOptions

    try:
        return RunOptions(**{name: value for name, value in given.items()
                             if value is not None}).budget
    except ValueError as error:
        fail(str(error), 2)
