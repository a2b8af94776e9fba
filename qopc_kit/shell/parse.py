"""The ``acopc`` command language, parsed: one line into a :class:`CommandLine`.

The verbs mirror the AdvancedCopy Manager Copy Control Module where it has one
(``acopc start|cancel|query``, ``acgroup create``, ``acpair add``); the kit adds
verbs for what the product does from a host or a maintenance screen (``volume
add``, ``write``, ``read``, ``tick``, ``fail`` ...). ``help`` prints the language.
A line is parsed completely before anything runs: a :class:`ShellSyntaxError`
(with line and column) or a refusal from the engine changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..engine import errors
from ..engine.commands import Command
from .help import HELP, TOPICS


class ShellSyntaxError(errors.QuickOPCError):
    """A command line the shell cannot parse; ``line`` and ``column`` count from 1."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        self.line = line
        self.column = column
        self.reason = message
        super().__init__(f"line {line}, column {column}: {message}")


@dataclass(frozen=True)
class Token:
    """One word of a line and the column (from 1) where it starts."""

    text: str
    column: int
    quoted: bool = False


@dataclass(frozen=True)
class CommandLine:
    """A parsed line: ``verb`` (``acopc start``, ``write`` ...) and checked ``args``."""

    verb: str
    args: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    line: int = 1


# Options of the real commands that the kit does not simulate.
NOT_MODELLED = {
    "-xml": "XML output",
    "-concur": "Concurrent OPC (several groups at one point in time)",
    "-ip": "the array's network address",
    "-user": "the array's login",
    "-password": "the array's login",
    "-path": "the access path",
    "-lan": "the access path",
    "-remote": "remote (REC) copy groups",
}

_ACOPC_OPTIONS = {
    "start": ("-g", "-p", "-diff", "-auto", "-r"),
    "cancel": ("-g", "-p", "-r"),
    "query": ("-g", "-p", "-r"),
}
_VALUED = {"-g", "-p", "-a", "-type", "-copy-rate", "-max-sessions"}
_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_INTEGER = re.compile(r"0[xX][0-9a-fA-F]{1,12}|\d{1,14}")
_BLOCKS = re.compile(r"\d{1,14}(-\d{1,14})?(,\d{1,14}(-\d{1,14})?)*")
_MAX_NUMBER = 2**40  # more blocks than any lesson; keeps a typo from allocating terabytes
_MAX_VOLUME = 2**30  # bytes: a lab volume, not a whole disk

#: How a parser reports a problem: the message and the word it is about.
Fail = Callable[..., "ShellSyntaxError"]


# Parsing -------------------------------------------------------------------------------

def tokenize(text: str, line: int = 1) -> list[Token]:
    """Split ``text`` into words; ``"..."`` quotes (with ``\\"`` and ``\\\\``); ``#`` comments.

    Words are separated by spaces and tabs only. A ``#`` that starts a word starts a
    comment, to the end of the line; a comment may hold any text, non-ASCII included
    (``# バックアップ``). Raises ShellSyntaxError, naming the character (``U+00A0 NO-BREAK
    SPACE``) and its column, for an unterminated quote, a non-ASCII character outside a
    comment, or a control character anywhere but a tab (a line ends only at ``\\n``,
    ``\\r\\n`` or ``\\r``; see :func:`split_lines`).
    """
    for k, char in enumerate(text):
        if char != "\t" and unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise ShellSyntaxError(f"control character {character_name(char)} is not allowed "
                                   "(only \\n, \\r\\n or \\r end a line; words are separated "
                                   "by spaces or tabs)", line, k + 1)
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in _BLANKS:
            i += 1
            continue
        if char == "#":
            break
        start = i
        if char == '"':
            i += 1
            chars: list[str] = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\':
                    i += 1
                chars.append(text[i])
                i += 1
            if i >= n:
                raise ShellSyntaxError("unterminated quoted text", line, start + 1)
            i += 1
            if i < n and text[i] not in _BLANKS:
                raise ShellSyntaxError("quoted text must be followed by a space", line, i + 1)
            word, quoted = "".join(chars), True
        else:
            while i < n and text[i] not in _BLANKS:
                i += 1
            word, quoted = text[start:i], False
        bad = next((k for k, c in enumerate(word) if not c.isascii()), None)
        if bad is not None:
            # A quoted word's column is off by its opening quote (and each backslash escape).
            column = text.index(word[bad], start) + 1
            raise ShellSyntaxError(f"character {character_name(word[bad])} is not ASCII: "
                                   "commands are written in ASCII (other text may go in a "
                                   "# comment)", line, column)
        tokens.append(Token(word, start + 1, quoted))
    return tokens


_BLANKS = " \t"
# Control characters have no Unicode name: the ones a text file may carry, by code point.
_CONTROL_NAMES = dict(enumerate((
    "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION",
    "ENQUIRY", "ACKNOWLEDGE", "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED",
    "LINE TABULATION", "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN",
    "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
    "FILE SEPARATOR", "GROUP SEPARATOR", "RECORD SEPARATOR", "UNIT SEPARATOR"))) | {
    0x7F: "DELETE", 0x85: "NEXT LINE"}


def character_name(char: str) -> str:
    """``U+00A0 NO-BREAK SPACE``: the code point and, where Unicode has one, the name."""
    name = unicodedata.name(char, None) or _CONTROL_NAMES.get(ord(char))
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as an editor counts them: only ``\\n``, ``\\r\\n`` and ``\\r`` end
    a line (unlike :meth:`str.splitlines`, a form feed or U+2028 does not)."""
    lines = re.split(r"\r\n|\r|\n", text)
    if lines[-1] == "":  # the newline that ends the last line starts no new one
        lines.pop()
    return lines


def parse_line(text: str, line: int = 1) -> CommandLine | None:
    """Parse one line into a Command (None for a blank or comment line).

    Raises ShellSyntaxError naming the line, the column and what is wrong.
    """
    tokens = tokenize(text, line)
    if not tokens:
        return None
    end = len(text.rstrip()) + 1

    def fail(message: str, at: Token | None = None) -> ShellSyntaxError:
        return ShellSyntaxError(message, line, at.column if at else end)

    head, rest = tokens[0], tokens[1:]
    verb = head.text
    if verb == "acopc":
        if not rest:
            raise fail("acopc needs a verb: start, cancel or query")
        head, rest = rest[0], rest[1:]
        if head.text not in _ACOPC_OPTIONS:
            raise fail(f"acopc has no verb {head.text!r} (start, cancel, query)", head)
        verb = head.text
    if verb in _ACOPC_OPTIONS:
        args = _options(rest, _ACOPC_OPTIONS[verb], f"acopc {verb}", fail)
        if "-g" not in args:
            raise fail(f"acopc {verb} needs -g GROUP")
        modes = [m for m in ("-diff", "-auto", "-r") if m in args]
        if len(modes) > 1:
            raise fail(f"acopc {verb} takes one of -diff, -auto, -r, not {' and '.join(modes)}",
                       args[modes[1]][1])
        option = modes[0] if modes else ""
        session_command = None if verb == "query" else Command.of(verb, option)
        return CommandLine(f"acopc {verb}", {"group": args["-g"][0],
                                             "pair": args["-p"][0] if "-p" in args else None,
                                             "command": session_command,
                                             "reverse": option == "-r"}, text, line)
    parser = _PARSERS.get(verb)
    if parser is None:
        known = ", ".join(sorted({*_PARSERS, "acopc"}))
        raise fail(f"unknown command {verb!r} (commands: {known}; try help)", head)
    return CommandLine(verb, parser(rest, fail), text, line)


def _options(tokens: list[Token], allowed: tuple[str, ...], command: str,
             fail: Any) -> dict[str, tuple[str, Token]]:
    """Read ``-opt [value]`` words; each option once, values where the option takes one."""
    found: dict[str, tuple[str, Token]] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        name = token.text
        if name in NOT_MODELLED and not token.quoted:
            raise fail(f"{command} {name} is not modelled by the kit ({NOT_MODELLED[name]})",
                       token)
        if token.quoted or name not in allowed:
            hint = f"; options: {' '.join(allowed)}" if allowed else ""
            raise fail(f"{command} has no option {name!r}{hint}", token)
        if name in found:
            raise fail(f"{command} {name} is given twice", token)
        if name in _VALUED:
            if i + 1 >= len(tokens) or tokens[i + 1].text.startswith("-"):
                raise fail(f"{command} {name} needs a value", tokens[i + 1]
                           if i + 1 < len(tokens) else None)
            value = tokens[i + 1]
            if not _NAME.fullmatch(value.text) and name != "-p":
                raise fail(f"{command} {name}: {value.text!r} is not a name", value)
            found[name] = (value.text, value)
            i += 2
        else:
            found[name] = (name, token)
            i += 1
    return found


def _number(token: Token, what: str, fail: Any, low: int = 1) -> int:
    text = token.text
    if not token.quoted and _INTEGER.fullmatch(text):
        value = int(text, 16) if text[:2] in ("0x", "0X") else int(text, 10)
        if low <= value <= _MAX_NUMBER:
            return value
    raise fail(f"{what} must be a whole number from {low} to {_MAX_NUMBER}, got {text!r}", token)


def _arity(tokens: list[Token], low: int, high: int, usage: str, fail: Any) -> None:
    if len(tokens) < low:
        raise fail(f"missing argument: {usage}")
    if len(tokens) > high:
        raise fail(f"unexpected {tokens[high].text!r}: {usage}", tokens[high])


def _volume_word(token: Token, fail: Any) -> str:
    if token.quoted or not re.fullmatch(r"([A-Za-z0-9_.\-]+/)?(0x[0-9a-fA-F]+|\d+)", token.text):
        raise fail(f"{token.text!r} is not a volume (write ET001/0x1 or 0x1)", token)
    return token.text


def _blocks(token: Token, fail: Any) -> tuple[tuple[int, int], ...] | None:
    """``all`` -> None; ``none`` -> (); else inclusive (first, last) runs, in order."""
    text = token.text
    if text == "all":
        return None
    if text == "none":
        return ()
    if token.quoted or not _BLOCKS.fullmatch(text):
        raise fail(f"{text!r} is not a block list (3, 0-3, 0,2,5-7, all or none)", token)
    runs = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        low, high = int(first), int(last or first)
        if high < low:
            raise fail(f"block range {part} runs backwards", token)
        if high > _MAX_NUMBER:
            raise fail(f"block {high} is beyond any volume", token)
        runs.append((low, high))
    return tuple(runs)


def _data(token: Token, fail: Any) -> bytes:
    text = token.text
    if not token.quoted and text.startswith("hex:"):
        digits = text[4:]
        if not digits or len(digits) % 2 or not re.fullmatch(r"[0-9a-fA-F]+", digits):
            raise fail(f"{text!r}: hex: needs pairs of hex digits", token)
        return bytes.fromhex(digits)
    return text.encode("ascii")


def _parse_acarray(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    usage = "acarray add -a ARRAY [-copy-rate N] [-max-sessions N]"
    if not tokens or tokens[0].text != "add":
        raise fail(f"usage: {usage}", tokens[0] if tokens else None)
    args = _options(tokens[1:], ("-a", "-copy-rate", "-max-sessions"), "acarray add", fail)
    if "-a" not in args:
        raise fail("acarray add needs -a ARRAY")
    name = args["-a"][0]
    if "/" in name or ":" in name:
        raise fail(f"array name {name!r} must be one word like ET001", args["-a"][1])
    return {"name": name,
            "copy_rate": _number(args["-copy-rate"][1], "-copy-rate", fail)
            if "-copy-rate" in args else 1,
            "max_sessions": _number(args["-max-sessions"][1], "-max-sessions", fail)
            if "-max-sessions" in args else 8}


def _parse_acgroup(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    if tokens and tokens[0].text == "detail":
        args = _options(tokens[1:], ("-g",), "acgroup detail", fail)
        if "-g" not in args:
            raise fail("acgroup detail needs -g GROUP")
        return {"action": "detail", "group": args["-g"][0]}
    if not tokens or tokens[0].text != "create":
        raise fail("usage: acgroup create -g GROUP -type QuickOPC -a ARRAY, or acgroup detail "
                   "-g GROUP", tokens[0] if tokens else None)
    args = _options(tokens[1:], ("-g", "-type", "-a"), "acgroup create", fail)
    for needed in ("-g", "-type", "-a"):
        if needed not in args:
            raise fail(f"acgroup create needs {needed}")
    kind, token = args["-type"]
    if kind != "QuickOPC":
        raise fail(f"copy group type {kind} is not modelled by the kit (it simulates QuickOPC "
                   "only)", token)
    return {"action": "create", "group": args["-g"][0], "array": args["-a"][0]}


def _parse_acpair(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    if not tokens or tokens[0].text != "add":
        raise fail("usage: acpair add -g GROUP -p SOURCE:DESTINATION",
                   tokens[0] if tokens else None)
    args = _options(tokens[1:], ("-g", "-p"), "acpair add", fail)
    for needed in ("-g", "-p"):
        if needed not in args:
            raise fail(f"acpair add needs {needed}")
    pair, token = args["-p"]
    if pair.count(":") != 1:
        raise fail(f"pair {pair!r} is not written SOURCE:DESTINATION", token)
    for side in pair.split(":"):
        _volume_word(Token(side, token.column), fail)
    return {"group": args["-g"][0], "pair": pair}


def _parse_volume(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    usage = "volume add VOLUME blocks N [block-size BYTES]"
    if not tokens or tokens[0].text != "add":
        raise fail(f"usage: {usage}", tokens[0] if tokens else None)
    _arity(tokens, 4, 6, usage, fail)
    words = tokens[2:]
    number_token = tokens[1]
    number = _number(number_token, "volume number", fail, low=0)
    sizes: dict[str, int] = {}
    for i in range(0, len(words), 2):
        key = words[i]
        if key.text not in ("blocks", "block-size") or key.text in sizes:
            raise fail(f"expected blocks N or block-size BYTES, got {key.text!r}", key)
        if i + 1 >= len(words):
            raise fail(f"{key.text} needs a number")
        sizes[key.text] = _number(words[i + 1], key.text, fail)
    if "blocks" not in sizes:
        raise fail(f"missing blocks N: {usage}")
    if sizes["blocks"] * sizes.get("block-size", 1) > _MAX_VOLUME:
        raise fail(f"a volume of the shell holds at most {_MAX_VOLUME // 2**20} MiB",
                   tokens[2])
    return {"number": number, "blocks": sizes["blocks"], "block_size": sizes.get("block-size", 1)}


def _parse_write(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    _arity(tokens, 3, 3, "write VOLUME BLOCKS DATA", fail)
    return {"volume": _volume_word(tokens[0], fail), "blocks": _blocks(tokens[1], fail),
            "data": _data(tokens[2], fail)}


def _parse_read(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    _arity(tokens, 1, 2, "read VOLUME [BLOCKS]", fail)
    return {"volume": _volume_word(tokens[0], fail),
            "blocks": _blocks(tokens[1], fail) if len(tokens) > 1 else None}


def _parse_show(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    _arity(tokens, 1, 1, "show VOLUME | show PAIR", fail)
    token = tokens[0]
    sides = token.text.split(":")
    if len(sides) > 2:
        raise fail(f"{token.text!r} is not a volume or a pair", token)
    for side in sides:
        _volume_word(Token(side, token.column), fail)
    return {"what": token.text}


def _parse_tick(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    _arity(tokens, 0, 1, "tick [N]", fail)
    return {"n": _number(tokens[0], "tick count", fail) if tokens else 1}


def _parse_run(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    _arity(tokens, 0, 0, "run", fail)
    return {}


def _parse_rate(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    _arity(tokens, 1, 1, "copy-rate N", fail)
    return {"rate": _number(tokens[0], "copy rate", fail)}


def _parse_fail(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    _arity(tokens, 1, 1, "fail VOLUME", fail)
    return {"volume": _volume_word(tokens[0], fail)}


def _parse_help(tokens: list[Token], fail: Fail) -> dict[str, Any]:
    _arity(tokens, 0, 1, "help [VERB]", fail)
    if not tokens:
        return {"topic": None}
    topic = TOPICS.get(tokens[0].text, tokens[0].text)
    if topic not in HELP:
        raise fail(f"no help on {topic!r} (topics: {', '.join(HELP)})", tokens[0])
    return {"topic": topic}


_PARSERS = {
    "acarray": _parse_acarray, "acgroup": _parse_acgroup, "acpair": _parse_acpair,
    "volume": _parse_volume, "write": _parse_write, "read": _parse_read, "show": _parse_show,
    "tick": _parse_tick, "run": _parse_run, "copy-rate": _parse_rate, "fail": _parse_fail,
    "help": _parse_help,
}
