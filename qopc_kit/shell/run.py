"""The ``acopc`` command language, run: each verb on a disk array, and what it prints.

Every runner calls the engine once and prints from the step it returns; a refusal
(a QuickOPCError) changes nothing and is raised with the command's name.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import errors
from ..engine.commands import Command
from ..engine.states import Copy, Event, State
from .format import (
    SHOW_LIMIT,
    format_blocks,
    format_data,
    format_mask,
    query_table,
    sid_text,
)
from .help import help_text
from .parse import CommandLine, parse_line

if TYPE_CHECKING:
    from ..engine.array import DiskArray
    from ..engine.history import Change, Step
    from ..engine.pair import CopyPair
    from ..engine.volume import Volume


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
    if verb == "acopc query":
        return _query(array, args)
    if verb.startswith("acopc "):
        command: Command = args["command"]
        target, pairs = _pairs_of(array, args)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", errors.UnusableVolumeWarning)
            step = target.run(command)
        for warning in caught:  # anything else is the caller's to see
            if not issubclass(warning.category, errors.UnusableVolumeWarning):
                warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                       warning.lineno)
        lines = _SESSION_OUTPUT.get(command.verb, _session_lines)(command, step, pairs)
        lines += [f"WARNING: {w.message}" for w in caught
                  if issubclass(w.category, errors.UnusableVolumeWarning)]
        return "\n".join([*lines, f"Succeeded : {len(pairs)}", "Failed    : 0"])
    return _RUNNERS[verb](array, args)


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


def _session_lines(command: Command, step: Step, pairs: list[CopyPair]) -> list[str]:
    """What any session command did to each pair: its transitions (a command with no
    wording of its own prints these)."""
    return [f"{pair.name} # {command.words}: {'; '.join(map(str, step.changes_of(pair.name)))}"
            for pair in pairs]


def _start_lines(command: Command, step: Step, pairs: list[CopyPair]) -> list[str]:
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
            what += f" (SID {sid_text(session.sid)})"
        lines.append(f"{pair.name} # copied: {what}, {queued} block(s) to copy physically "
                     f"[{moved.state} -> {moved.next}]")
        lines += [f"  then {c}" for c in step.changes_of(pair.name)
                  if c.event is Event.COPY_COMPLETE]
    return lines


def _cancel_lines(command: Command, step: Step, pairs: list[CopyPair]) -> list[str]:
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
    return lines


def _query(array: DiskArray, args: dict[str, Any]) -> str:
    group = array.group(args["group"])
    _, pairs = _pairs_of(array, args)
    reverse = args["reverse"]
    rows = [pair.query(reverse=reverse) for pair in pairs]
    return "\n".join([f"Copy Group Name : {group.name}", "Copy Group Type : QuickOPC",
                      f"Disk Array Name : {array.name}", "", *query_table(rows),
                      *_query_notes(pairs, reverse)])


def _query_notes(pairs: list[CopyPair], reverse: bool) -> list[str]:
    notes: list[str] = []
    for pair in pairs:
        for volume in (pair.destination, pair.source):
            if not volume.usable and f"# {volume.name} " not in " ".join(notes):
                notes.append(f"# {volume.name} is unusable: its copy was cancelled before it "
                             f"completed ({int(volume.missing.sum())} block(s) never copied)")
            carried = pair.array.carried_unusable(volume)
            if carried and f"# {volume.name} " not in " ".join(notes):
                notes.append(f"# {carried} [M]")
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


def _show(array: DiskArray, args: dict[str, Any]) -> str:
    what = args["what"]
    if ":" in what:
        pair = array.pair(":".join(array.volume(side).name for side in what.split(":")))
        lines = [f"{pair.name}: {pair.state}, SID {sid_text(pair.sid)}, copied "
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
    count = min(volume.blocks, SHOW_LIMIT)
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


#: The wording of each session command's output, by verb (others print their transitions).
_SESSION_OUTPUT = {"start": _start_lines, "cancel": _cancel_lines}
_RUNNERS = {"acgroup": _group_detail, "volume": _volume_add, "write": _write, "read": _read,
            "show": _show, "tick": _tick, "run": _run, "copy-rate": _copy_rate, "fail": _fail}
