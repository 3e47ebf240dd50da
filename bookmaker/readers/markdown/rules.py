"""Custom markdown-it block rules for what fic manuscripts write that CommonMark does not know.

- ``line_block_plugin``: Pandoc's line blocks, lines starting with ``|`` (poetry, lyrics, the
  signature of a letter). Each line becomes its own ``inline`` token, so emphasis and other
  inline markup inside the lines still parse.
- ``tilde_scene_break_plugin``: a line of tildes used as a scene break, which CommonMark would
  read as the opening of a code fence and turn the rest of the story into code.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

# --------------------------------------------------------------------------- line blocks


def line_block_plugin(md: MarkdownIt) -> None:
    """Add the ``line_block`` rule: tokens ``line_block_open``, then per line
    ``line_block_line_open``, ``inline``, ``line_block_line_close``, then ``line_block_close``.

    It may interrupt a paragraph: a run of ``| `` lines is never ordinary prose.
    """
    md.block.ruler.before("paragraph", "line_block", _line_block_rule, {"alt": ["paragraph"]})


def _line_block_text(state: StateBlock, line: int) -> str | None:
    """The text of ``line`` after its ``|`` marker, or None when it is not a line-block line."""
    indent = state.sCount[line] - state.blkIndent
    if indent < 0 or indent >= 4:  # outside this container, or indented code
        return None
    text = state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]
    if text == "|" or text.rstrip() == "|":
        return ""
    if not text.startswith("| "):
        return None
    content = text[2:].rstrip()
    # Leading spaces indent a line of verse; Pandoc keeps them as non-breaking spaces.
    stripped = content.lstrip(" ")
    return "\u00a0" * (len(content) - len(stripped)) + stripped


def _line_block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if _line_block_text(state, start_line) is None:
        return False
    if silent:
        return True
    lines: list[tuple[int, str]] = []
    line = start_line
    while line < end_line:
        text = _line_block_text(state, line)
        if text is None:
            break
        lines.append((line, text))
        line += 1

    token = state.push("line_block_open", "div", 1)
    token.map = [start_line, line]
    token.block = True
    for number, text in lines:
        token = state.push("line_block_line_open", "", 1)
        token.map = [number, number + 1]
        token = state.push("inline", "", 0)
        token.content = text
        token.map = [number, number + 1]
        token.children = []
        state.push("line_block_line_close", "", -1)
    state.push("line_block_close", "div", -1).block = True
    state.line = line
    return True


# --------------------------------------------------------------------------- tilde scene breaks

_TILDE_LINE = re.compile(r"~(?:[ \t]*~){2,}[ \t]*")


def tilde_scene_break_plugin(md: MarkdownIt) -> None:
    """Add the ``tilde_scene_break`` rule (an ``hr`` token with markup ``~~~``), before fences.

    The rule: a line of only three or more ``~`` (spaces between them allowed) is a scene
    break when the line before it is blank (or it is the first line of the body) and the line
    after it is blank (or the end of the file). A code fence always has code on the line after
    its opening ``~~~``, so real fences are untouched, and a fence's closing line is never seen
    by this rule because the fence rule consumes it. The one casualty is a code block whose
    first line is blank: start the code on the line after the fence. (Pairing fence lines up
    instead would turn the text between two ``~~~`` scene breaks into code.)
    """
    md.block.ruler.before("fence", "tilde_scene_break", _tilde_scene_break_rule)


def _is_blank(state: StateBlock, line: int) -> bool:
    return line >= state.lineMax or state.isEmpty(line)


def _starts_body(state: StateBlock, line: int) -> bool:
    """True for the document's first line or the first line after the front matter."""
    if line == 0:
        return True
    last = state.tokens[-1] if state.tokens else None
    return last is not None and last.type == "front_matter" and last.map is not None \
        and last.map[1] == line


def _tilde_scene_break_rule(state: StateBlock, start_line: int, end_line: int,
                            silent: bool) -> bool:
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    start = state.bMarks[start_line] + state.tShift[start_line]
    if start >= len(state.src) or state.src[start] != "~":
        return False
    if not _TILDE_LINE.fullmatch(state.src, start, state.eMarks[start_line]):
        return False
    before_ok = _starts_body(state, start_line) or _is_blank(state, start_line - 1)
    if not before_ok or not _is_blank(state, start_line + 1):
        return False
    if silent:
        return True
    token = state.push("hr", "hr", 0)
    token.map = [start_line, start_line + 1]
    token.markup = "~~~"
    state.line = start_line + 1
    return True
