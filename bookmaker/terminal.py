"""Text from a stranger's file, made safe to print on a terminal.

File names and content reach the screen in messages: a name holding ``ESC ] 52`` (OSC 52) can set
the terminal's clipboard, ``ESC [ 2 J`` clears the screen, a bidi override can make a message say
the opposite of what it does, and a newline in a file name can forge a whole line of output.
printable shows every such character as a visible escape (``\\x1b``, ``\\u202e``) instead.
"""

from __future__ import annotations

import re

# C0 and C1 controls (tab and line feed are kept by printable, escaped by printable_name), DEL,
# and the bidirectional overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_NAME = re.compile(f"[\t\n{_UNSAFE.pattern[1:-1]}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape; line breaks and tabs kept."""
    return _UNSAFE.sub(_escape, text)


def printable_name(text: str) -> str:
    """A file name or path for a one-line message: line breaks and tabs escaped too."""
    return _UNSAFE_IN_NAME.sub(_escape, text)
