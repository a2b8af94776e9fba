"""The ``acopc`` command language: parse one line, then run it on a disk array.

The verbs mirror the AdvancedCopy Manager Copy Control Module where it has one
(``acopc start|cancel|query``, ``acgroup create``, ``acpair add``); the kit adds
verbs for what the product does from a host or a maintenance screen (``volume
add``, ``write``, ``read``, ``tick``, ``fail`` ...). ``help`` prints the language.
A line is parsed completely before anything runs: a :class:`ShellSyntaxError`
(with line and column) or a refusal from the engine changes nothing.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import errors
from ..engine.commands import Command
from ..engine.states import Copy, Event, State

if TYPE_CHECKING:
    from ..engine.array import DiskArray
    from ..engine.history import Change
    from ..engine.pair import CopyPair, QueryRow
    from ..engine.volume import Volume


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

HELP: dict[str, str] = {
    "start": """acopc start -g GROUP [-p PAIR] [-diff | -auto | -r]
    Start QuickOPC on every pair of GROUP (or on PAIR, written ET001/0x1:ET001/0x6).
    The logical copy completes at once ("copied"); the physical copy runs in the
    background, copy-rate blocks per tick. No option: full copy (the pair must have no
    session). -diff: differential copy (needs Tracking or Copying/Tracking). -auto: full
    from No session, differential from Tracking or Copying/Tracking, cancel then full from
    Error suspend. -r: reverse OPC, destination to source (needs Tracking).
    A group command is all or none: one refused pair refuses the command.""",
    "cancel": """acopc cancel -g GROUP [-p PAIR] [-r]
    Stop the QuickOPC session (with -r: the reverse OPC). From Copying/Tracking the
    destination becomes unusable (its physical copy is incomplete); from Tracking it
    keeps a complete image of the last logical copy.""",
    "query": """acopc query -g GROUP [-p PAIR] [-r]
    One row per pair: Source <=> Target, SID, OPC Status, Copy Phase, Copied Block,
    Rest Block (with -r: the reverse OPC sessions).""",
    "acarray": """acarray add -a ARRAY [-copy-rate N] [-max-sessions N]
    Register the disk array (first line of a script only; the default is ET001, copy
    rate 1, 8 sessions per source).""",
    "acgroup": """acgroup create -g GROUP -type QuickOPC -a ARRAY
    Create an empty QuickOPC copy group; add its pairs with acpair add.
acgroup detail -g GROUP
    List the group's pairs.""",
    "acpair": """acpair add -g GROUP -p SOURCE:DESTINATION
    Add a pair (ET001/0x1:ET001/0x6, or 0x1:0x6) to a copy group; a group already in
    use takes it too, and its next group command includes it.""",
    "volume": """volume add VOLUME blocks N [block-size BYTES]
    Create a zeroed volume, e.g. volume add 0x1 blocks 16.""",
    "write": """write VOLUME BLOCKS DATA
    Host write. BLOCKS: 3, 0-3 (inclusive), 0,2,5-7, all or none. DATA: text (ABCD,
    or "A B" in double quotes), or hex:41420a; one byte fills every block, one block's
    worth is repeated, or give every block's bytes. Source writes to queued blocks are
    copied to the destination first; destination writes take blocks off the queue.""",
    "read": """read VOLUME [BLOCKS]
    Host read of the logical image; printable blocks show as text, others in hex.
    A destination block still queued is copied first (copy-on-read). An unusable
    volume is flagged.""",
    "show": """show VOLUME | show PAIR
    Without side effects: a volume's logical and physical blocks, or a pair's bitmaps
    (queued, source-tracked, destination-tracked, rolled back), 1 = set.""",
    "tick": """tick [N]
    Advance the background copier N ticks (default 1).""",
    "run": """run
    Tick until every physical copy has ended.""",
    "copy-rate": """copy-rate N
    Blocks each session copies per tick, from now on (running sessions included).""",
    "fail": """fail VOLUME
    Inject a failure: every session on VOLUME goes to Error suspend.""",
    "help": """help [VERB]
    This text, or one verb's. Lines starting with # are comments.""",
}
_TOPICS = {"acopc": "start"}

# Parsing -------------------------------------------------------------------------------

def tokenize(text: str, line: int = 1) -> list[Token]:
    """Split ``text`` into words; ``"..."`` quotes (with ``\\"`` and ``\\\\``); ``#`` comments.

    Raises ShellSyntaxError for an unterminated quote or a character that is not ASCII.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
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
            if i < n and not text[i].isspace():
                raise ShellSyntaxError("quoted text must be followed by a space", line, i + 1)
            word, quoted = "".join(chars), True
        else:
            while i < n and not text[i].isspace():
                i += 1
            word, quoted = text[start:i], False
        bad = next((k for k, c in enumerate(word) if not c.isascii() or
                    (not c.isprintable() and not quoted)), None)
        if bad is not None:
            raise ShellSyntaxError(f"character {word[bad]!r} is not printable ASCII",
                                   line, start + 1 + bad + (1 if quoted else 0))
        tokens.append(Token(word, start + 1, quoted))
    return tokens


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
    return CommandLine(verb, parser(rest, fail, head), text, line)


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


def _parse_acarray(tokens, fail, head):
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


def _parse_acgroup(tokens, fail, head):
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


def _parse_acpair(tokens, fail, head):
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


def _parse_volume(tokens, fail, head):
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


def _parse_write(tokens, fail, head):
    _arity(tokens, 3, 3, "write VOLUME BLOCKS DATA", fail)
    return {"volume": _volume_word(tokens[0], fail), "blocks": _blocks(tokens[1], fail),
            "data": _data(tokens[2], fail)}


def _parse_read(tokens, fail, head):
    _arity(tokens, 1, 2, "read VOLUME [BLOCKS]", fail)
    return {"volume": _volume_word(tokens[0], fail),
            "blocks": _blocks(tokens[1], fail) if len(tokens) > 1 else None}


def _parse_show(tokens, fail, head):
    _arity(tokens, 1, 1, "show VOLUME | show PAIR", fail)
    token = tokens[0]
    sides = token.text.split(":")
    if len(sides) > 2:
        raise fail(f"{token.text!r} is not a volume or a pair", token)
    for side in sides:
        _volume_word(Token(side, token.column), fail)
    return {"what": token.text}


def _parse_tick(tokens, fail, head):
    _arity(tokens, 0, 1, "tick [N]", fail)
    return {"n": _number(tokens[0], "tick count", fail) if tokens else 1}


def _parse_run(tokens, fail, head):
    _arity(tokens, 0, 0, "run", fail)
    return {}


def _parse_rate(tokens, fail, head):
    _arity(tokens, 1, 1, "copy-rate N", fail)
    return {"rate": _number(tokens[0], "copy rate", fail)}


def _parse_fail(tokens, fail, head):
    _arity(tokens, 1, 1, "fail VOLUME", fail)
    return {"volume": _volume_word(tokens[0], fail)}


def _parse_help(tokens, fail, head):
    _arity(tokens, 0, 1, "help [VERB]", fail)
    topic = tokens[0].text if tokens else None
    topic = _TOPICS.get(topic, topic)
    if topic is not None and topic not in HELP:
        raise fail(f"no help on {topic!r} (topics: {', '.join(HELP)})", tokens[0])
    return {"topic": topic}


_PARSERS = {
    "acarray": _parse_acarray, "acgroup": _parse_acgroup, "acpair": _parse_acpair,
    "volume": _parse_volume, "write": _parse_write, "read": _parse_read, "show": _parse_show,
    "tick": _parse_tick, "run": _parse_run, "copy-rate": _parse_rate, "fail": _parse_fail,
    "help": _parse_help,
}


# Running ---------------------------------------------------------------------------------

def acopc(array: DiskArray, arguments: str) -> str:
    """Run one command line on ``array`` and return its output text.

    ``arguments`` is an acopc command without the word acopc (``"start -g CG1 -diff"``)
    or any line of the shell's language. Raises ShellSyntaxError (nothing ran) or the
    engine's refusal (a QuickOPCError; nothing changed).
    """
    if not isinstance(arguments, str):
        raise errors.ArgumentError(f"acopc takes a command line as text, not {arguments!r}")
    command = parse_line(arguments)
    if command is None:
        return ""
    return execute(array, command)


def execute(array: DiskArray, command: CommandLine) -> str:
    """Run a parsed Command on ``array``; return its output. Refusals raise, changing nothing."""
    verb, args = command.verb, command.args
    try:
        return _dispatch(array, verb, args)
    except errors.QuickOPCError as refusal:
        text = str(refusal)
        name = {"acgroup": f"acgroup {args.get('action')}", "acpair": "acpair add",
                "acarray": "acarray add", "volume": "volume add"}.get(verb, verb)
        if text.startswith(("cannot ", f"{name}")):
            raise
        # Name the command, as the product's messages do; same class, same code.
        raise type(refusal)(f"{name}: {text}", code=refusal.code) from None


def _dispatch(array: DiskArray, verb: str, args: dict[str, Any]) -> str:
    if verb == "help":
        return help_text(args["topic"])
    if verb == "acarray":
        raise errors.ArgumentError(
            f"this shell already works on disk array {array.name}; acarray add "
            "can only be the first command of a script")
    if verb == "acgroup" and args["action"] == "create":
        return _group_create(array, args)
    if verb == "acpair":
        return _pair_add(array, args)
    if verb.startswith("acopc "):
        return _ACOPC[verb](array, args)
    return _RUNNERS[verb](array, args)


def help_text(topic: str | None = None) -> str:
    """The shell's documentation: every verb's usage, or one verb's in full."""
    if topic is not None:
        return HELP[_TOPICS.get(topic, topic)]
    first = [text.splitlines()[0] for text in HELP.values()]
    return "\n".join(["Commands (help VERB for details; # starts a comment):",
                      *(f"  {line}" for line in first)])


def _group_create(array: DiskArray, args: dict[str, Any]) -> str:
    name = args["group"]
    if args["array"] != array.name:
        raise errors.ArgumentError(
            f"disk array {args['array']} is not this one ({array.name}); "
            "QuickOPC copies only inside one disk array")
    array.add_copy_group(name)
    return f"Copy group {name} (QuickOPC, {array.name}) created; add pairs with acpair add"


def _pair_add(array: DiskArray, args: dict[str, Any]) -> str:
    group = array.group(args["group"])
    pair = group.add_pair(*args["pair"].split(":"))
    return f"{pair.name} added to copy group {group.name}"


def _group_detail(array: DiskArray, args: dict[str, Any]) -> str:
    group = array.group(args["group"])
    lines = [f"Copy Group Name : {group.name}", "Copy Group Type : QuickOPC",
             f"Disk Array Name : {array.name}", "", "Pair"]
    return "\n".join(lines + [pair.name for pair in group.pairs])


def _pairs_of(array: DiskArray, args: dict[str, Any]) -> tuple[Any, list[CopyPair]]:
    group = array.group(args["group"])
    if args["pair"] is None:
        return group, list(group.pairs)
    sides = args["pair"].split(":")
    if len(sides) == 2:
        try:
            name = ":".join(array.volume(side).name for side in sides)
        except errors.QuickOPCError:
            name = args["pair"]
    else:
        name = args["pair"]
    return group.pair(name), [group.pair(name)]


def _start(array: DiskArray, args: dict[str, Any]) -> str:
    target, pairs = _pairs_of(array, args)
    command: Command = args["command"]
    step = target.run(command)
    lines = []
    for pair in pairs:
        # The command's own transition on this pair (the first; a copy with nothing to
        # move also ends at once, which follows as "then ...").
        moved = next(c for c in step.changes_of(pair.name)
                     if c.event is command.event and c.copy is command.copy)
        if command.reverse:
            session = pair.reverse_session
            what = f"OPC reverse copy {pair.destination.name} ==> {pair.source.name}"
        else:
            session = pair.session
            full = moved.state in (State.NO_SESSION, State.ERROR_SUSPEND)
            kind = "full copy" if full else "differential copy"
            if command is Command.START_AUTO:
                kind += (", -auto after stopping the Error suspend session"
                         if moved.state is State.ERROR_SUSPEND else ", -auto")
            what = f"QuickOPC {kind}"
        queued = session.copied_blocks + session.rest_blocks
        if session.sid is not None:  # a copy with nothing to move has already ended
            what += f" (SID {_sid(session.sid)})"
        lines.append(f"{pair.name} # copied: {what}, {queued} block(s) to copy physically "
                     f"[{moved.state} -> {moved.next}]")
        lines += [f"  then {c}" for c in step.changes_of(pair.name)
                  if c.event is Event.COPY_COMPLETE]
    return "\n".join([*lines, f"Succeeded : {len(pairs)}", "Failed    : 0"])


def _cancel(array: DiskArray, args: dict[str, Any]) -> str:
    target, pairs = _pairs_of(array, args)
    command: Command = args["command"]
    step = target.run(command)
    lines = []
    for pair in pairs:
        moved = next(c for c in step.changes_of(pair.name) if c.copy is command.copy)
        volume = pair.source if command.reverse else pair.destination
        kind = "OPC reverse copy" if command.reverse else "QuickOPC session"
        if not volume.usable:
            outcome = (f"{volume.name} is unusable: its physical copy is incomplete "
                       f"({int(volume.missing.sum())} block(s) never copied)")
        elif moved.state is State.ERROR_SUSPEND:
            outcome = "session ended"
        else:
            outcome = f"{volume.name} keeps a complete image of the last logical copy"
        lines.append(f"{pair.name} # stopped: {kind}, {outcome} "
                     f"[{moved.state} -> {moved.next}]")
    return "\n".join([*lines, f"Succeeded : {len(pairs)}", "Failed    : 0"])


_COLUMNS = ("Source", "<=>", "Target", "SID", "OPC Status", "Copy Phase", "Copied Block",
            "Rest Block")


def _query(array: DiskArray, args: dict[str, Any]) -> str:
    group = array.group(args["group"])
    _, pairs = _pairs_of(array, args)
    reverse = args["reverse"]
    rows = [pair.query(reverse=reverse) for pair in pairs]
    return "\n".join([f"Copy Group Name : {group.name}", "Copy Group Type : QuickOPC",
                      f"Disk Array Name : {array.name}", "", *query_table(rows),
                      *_query_notes(pairs, reverse)])


def query_table(rows: list[QueryRow]) -> list[str]:
    """The fixed-width table of ``acopc query``: header, rule and one line per row."""
    cells = [(r.source, r.direction, r.target, r.sid_text, f'"{r.opc_status}"',
              f'"{r.copy_phase}"', str(r.copied_block), str(r.rest_block)) for r in rows]
    widths = [max(len(c[i]) for c in [_COLUMNS, *cells]) for i in range(len(_COLUMNS))]
    return [" ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)).rstrip()
            for row in [_COLUMNS, tuple("-" * w for w in widths), *cells]]


def _query_notes(pairs: list[CopyPair], reverse: bool) -> list[str]:
    notes: list[str] = []
    for pair in pairs:
        for volume in (pair.destination, pair.source):
            if not volume.usable and f"# {volume.name} " not in " ".join(notes):
                notes.append(f"# {volume.name} is unusable: its copy was cancelled before it "
                             f"completed ({int(volume.missing.sum())} block(s) never copied)")
        if not reverse and pair.reverse_state.has_session:
            notes.append(f"# {pair.name}: a reverse OPC is {pair.reverse_state} (query -r)")
    return notes


def _volume_add(array: DiskArray, args: dict[str, Any]) -> str:
    volume = array.add_volume(args["number"], args["blocks"], args["block_size"])
    return f"{volume.name}: {volume.blocks} block(s) of {volume.block_size} byte(s)"


def _selection(volume: Volume, runs: tuple[tuple[int, int], ...] | None) -> object:
    """Turn parsed block runs into what Volume.write/read take, checked against the volume."""
    if runs is None:
        return None
    if not runs:
        return np.empty(0, dtype=np.intp)
    top = max(high for _, high in runs)
    if top >= volume.blocks:
        raise errors.ArgumentError(f"{volume.name}: block {top} is out of range (blocks are 0 "
                                   f"to {volume.blocks - 1})")
    if len(runs) == 1:
        return slice(runs[0][0], runs[0][1] + 1)
    return np.concatenate([np.arange(low, high + 1, dtype=np.intp) for low, high in runs])


def _queues(array: DiskArray) -> list[tuple[str, Any, np.ndarray]]:
    return [(pair.name, session, session.queued.copy()) for pair in array.pairs.values()
            for session in (pair.session, pair.reverse_session) if session.rest_blocks]


def _left_queue(before: list[tuple[str, Any, np.ndarray]], how: str) -> list[str]:
    notes = []
    for name, session, queued in before:
        left = np.flatnonzero(queued & ~session.queued)
        if left.size:
            kind = "" if session.copy is Copy.QUICKOPC else " (reverse OPC)"
            notes.append(f"  {how} {name}{kind}: block(s) {format_blocks(left, 16)}")
    return notes


def _write(array: DiskArray, args: dict[str, Any]) -> str:
    volume = array.volume(args["volume"])
    blocks = _selection(volume, args["blocks"])
    before = _queues(array)
    step = volume.write(blocks, args["data"])
    count = step.args["blocks"] if isinstance(step.args["blocks"], int) else len(
        step.args["blocks"])
    copied = [s for s in before if s[1].source is volume]
    taken = [s for s in before if s[1].destination is volume]
    lines = [f"{volume.name}: wrote {count} block(s)"]
    lines += _left_queue(copied, "copied before write for")
    lines += _left_queue(taken, "overwritten, so no copy needed for")
    return "\n".join(lines + [f"  {change}" for change in step.changes])


def _read(array: DiskArray, args: dict[str, Any]) -> str:
    volume = array.volume(args["volume"])
    blocks = _selection(volume, args["blocks"])
    before = [s for s in _queues(array) if s[1].destination is volume]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", errors.UnusableVolumeWarning)
        data, step = volume.read_step(blocks)
    index = step.args["blocks"]
    where = format_blocks(index, 16) if not isinstance(index, int) else f"{index} block(s)"
    lines = [f"{volume.name} {where}: {format_data(data)}"]
    lines += _left_queue(before, "copied on read for")
    lines += [f"  WARNING: {w.message}" for w in caught
              if issubclass(w.category, errors.UnusableVolumeWarning)]
    return "\n".join(lines + [f"  {change}" for change in step.changes])


_SHOW_LIMIT = 64


def _show(array: DiskArray, args: dict[str, Any]) -> str:
    what = args["what"]
    if ":" in what:
        pair = array.pair(":".join(array.volume(side).name for side in what.split(":")))
        lines = [f"{pair.name}: {pair.state}, SID {_sid(pair.sid)}, copied "
                 f"{pair.copied_blocks}, rest {pair.rest_blocks}"]
        masks = [("queued", pair.queued), ("source-tracked", pair.source_tracking),
                 ("destination-tracked", pair.destination_tracking),
                 ("rolled back", pair.rolled_back)]
        if pair.reverse_state.has_session:
            masks.append(("reverse OPC queued", pair.reverse_session.queued))
        width = max(len(name) for name, _ in masks)
        lines += [f"  {name.ljust(width)} {format_mask(mask)}" for name, mask in masks]
        return "\n".join(lines)
    volume = array.volume(what)
    count = min(volume.blocks, _SHOW_LIMIT)
    more = f" ... ({volume.blocks - count} more)" if volume.blocks > count else ""
    state = "usable" if volume.usable else (
        f"UNUSABLE, never copied: {format_blocks(np.flatnonzero(volume.missing), 16)}")
    for session in array.suspended_copies(volume):
        state += (f"; copy from {session.source.name} in Error suspend, not copied: "
                  f"{format_blocks(np.flatnonzero(session.queued), 16)}")
    return "\n".join([
        f"{volume.name}: {volume.blocks} block(s) of {volume.block_size} byte(s), {state}",
        f"  logical  {format_data(volume.image(slice(0, count)))}{more}",
        f"  physical {format_data(volume.data[:count])}{more}"])


def _moving(array: DiskArray) -> list[tuple[str, Any, np.ndarray]]:
    return [entry for entry in _queues(array)
            if entry[1].state in (State.COPYING_TRACKING, State.COPYING)]


def _tick(array: DiskArray, args: dict[str, Any]) -> str:
    moving = _moving(array)
    step = array.tick(args["n"])
    return _clock_report(f"{args['n']} tick(s)", moving, step.changes)


def _run(array: DiskArray, args: dict[str, Any]) -> str:
    moving = _moving(array)
    taken = array.ticks_to_finish()
    changes = array.tick(taken).changes if taken else ()  # nothing to run: no step
    return _clock_report(f"ran {taken} tick(s)", moving, changes)


def _clock_report(head: str, moving: list, changes: tuple[Change, ...]) -> str:
    lines = [head if moving else f"{head}: no physical copy is running"]
    for name, session, _ in moving:
        if not session.state.has_session:  # an OPC that ended: its change line says so
            continue
        kind = "" if session.copy is Copy.QUICKOPC else " (reverse OPC)"
        lines.append(f"  {name}{kind}: Copied Block {session.copied_blocks}, "
                     f"Rest Block {session.rest_blocks}")
    return "\n".join(lines + [f"  {change}" for change in changes])


def _copy_rate(array: DiskArray, args: dict[str, Any]) -> str:
    array.copy_rate = args["rate"]
    return f"copy rate {array.copy_rate} block(s) per tick per session"


def _fail(array: DiskArray, args: dict[str, Any]) -> str:
    volume = array.volume(args["volume"])
    changes = array.fail(volume).changes
    if not changes:
        return f"failure on {volume.name}: no copying session on it, nothing suspended"
    return "\n".join([f"failure on {volume.name}", *(f"  {change}" for change in changes)])


_ACOPC = {"acopc start": _start, "acopc cancel": _cancel, "acopc query": _query}
_RUNNERS = {"acgroup": _group_detail, "volume": _volume_add, "write": _write, "read": _read,
            "show": _show, "tick": _tick, "run": _run, "copy-rate": _copy_rate, "fail": _fail}


# Formatting --------------------------------------------------------------------------------

def _sid(sid: int | None) -> str:
    return f"0x{sid or 0:X}"


def format_blocks(index: Any, limit: int | None = None) -> str:
    """Block numbers as runs, in the given order: ``0-3,7``; ``none`` for no block.

    ``limit`` caps the runs shown (the rest are counted); the runs parse back to the
    same numbers, which is what an exported script needs.
    """
    values = np.asarray(index, dtype=np.int64).ravel()
    if not values.size:
        return "none"
    breaks = np.flatnonzero(np.diff(values) != 1) + 1  # where an ascending run ends
    firsts = values[np.concatenate(([0], breaks))].tolist()
    lasts = values[np.concatenate((breaks, [values.size])) - 1].tolist()
    shown = len(firsts) if limit is None else min(limit, len(firsts))
    runs = [f"{a}" if a == b else f"{a}-{b}" for a, b in zip(firsts[:shown], lasts[:shown],
                                                            strict=True)]
    if shown < len(firsts):
        runs.append(f"... ({len(firsts) - shown} more runs)")
    return ",".join(runs)


def format_data(rows: np.ndarray, limit: int = _SHOW_LIMIT) -> str:
    """Blocks as words: text where every byte is printable ASCII, else hex; ``limit`` blocks."""
    words = []
    for row in rows[:limit]:
        raw = row.tobytes()
        printable = all(0x21 <= b <= 0x7E for b in raw)
        words.append(raw.decode("ascii") if printable else raw.hex())
    if len(rows) > limit:
        words.append(f"... ({len(rows) - limit} more)")
    return " ".join(words) if words else "(no blocks)"


def format_mask(mask: np.ndarray) -> str:
    """A bool mask as 0 and 1, a space every 8 blocks, cut after 64 blocks."""
    bits = "".join("1" if b else "0" for b in mask[:_SHOW_LIMIT])
    text = " ".join(bits[i:i + 8] for i in range(0, len(bits), 8))
    return text + (f" ... ({mask.size - _SHOW_LIMIT} more)" if mask.size > _SHOW_LIMIT else "")
