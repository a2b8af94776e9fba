"""Lab exercises: read a block map backwards to its commands, and the array's refusals.

Like :mod:`.generators`, each generator takes a ``numpy.random.Generator`` and returns an
:class:`Exercise` whose answer comes from running the engine: every candidate sequence of
the block-map exercise is run, and the refusal exercise runs the command and reads what the
engine raised or warned.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..engine import errors
from ..engine.array import DiskArray
from ..engine.pair import CopyPair
from ..engine.volume import Volume
from ..views.blockmap import block_map_text
from .model import Exercise
from .scenario import EMPTY, numbered, pick_blocks, volume_text

_LAB = "06 acopc lab"
_LETTERS = ("a", "b", "c", "d")


# 6c: which commands produced this block map ------------------------------------------
@dataclass(frozen=True)
class _Scene:
    """The block-map exercise's set-up: volume size, copy rate and the four steps' values."""

    blocks: int
    rate: int
    ticks: int
    source_blocks: tuple[int, ...]
    destination_blocks: tuple[int, ...]

    def steps(self) -> tuple[str, ...]:
        return (f"tick {self.ticks}",
                f"write \"{'s' * len(self.source_blocks)}\" to ET001/0x1 blocks "
                f"{list(self.source_blocks)}",
                f"write \"{'d' * len(self.destination_blocks)}\" to ET001/0x6 blocks "
                f"{list(self.destination_blocks)}",
                "acopc start -g CG1 -diff")

    def run(self, order: tuple[int, ...]) -> tuple[str, str]:
        """Run ``acopc start`` then the steps in ``order`` on a new array; the final block
        maps, physical then logical, as the kit prints them."""
        array = DiskArray("ET001", copy_rate=self.rate)
        src, dst = array.add_volume(0x1, self.blocks), array.add_volume(0x6, self.blocks)
        src.write(slice(None), "ABCDEFGHIJKL"[:self.blocks])
        pair = array.add_copy_group("CG1", [(src, dst)]).pairs[0]
        pair.start()
        actions: tuple[Callable[[], object], ...] = (
            lambda: array.tick(self.ticks),
            lambda: src.write(list(self.source_blocks), "s"),
            lambda: dst.write(list(self.destination_blocks), "d"),
            lambda: pair.start(diff=True))
        for step in order:
            actions[step]()
        return block_map_text(pair), block_map_text(pair, logical=True)


def _first_difference(shown: tuple[str, str], other: tuple[str, str]) -> str:
    """Where ``other``'s maps first differ from ``shown``'s, in the words of the map."""
    for which, mine, theirs in zip(("physical", "logical"), shown, other, strict=True):
        lines = zip(mine.splitlines(), theirs.splitlines(), strict=True)
        for number, (line, their_line) in enumerate(lines):
            if line == their_line:
                continue
            name, *cells = line.split()
            _, *their_cells = their_line.split()
            if number == 0 or len(cells) != len(their_cells):
                return f"its {which} map would say {their_line.split('[')[0].strip()!r}"
            block = next(i for i, (a, b) in enumerate(zip(cells, their_cells, strict=True))
                         if a != b)
            return (f"in its {which} map the {name!r} row of block {block} would be "
                    f"{their_cells[block]}, not {cells[block]}")
    return "it gives the same map"  # never: the choices are picked with different maps


def _orders(rng: np.random.Generator, scene: _Scene) -> list[tuple[tuple[int, ...], tuple]]:
    """Four orders of the steps whose final maps all differ, the first one the answer's:
    the other three are the orders nearest to it (fewest steps moved) that differ."""
    every = list(itertools.permutations(range(4)))
    answer = every[int(rng.integers(0, len(every)))]
    near = sorted(every, key=lambda o: (sum(a != b for a, b in zip(o, answer, strict=True)),
                                        float(rng.random())))
    picked: list[tuple[tuple[int, ...], tuple]] = []
    for order in near:
        maps = scene.run(order)
        if all(maps != seen for _, seen in picked):
            picked.append((order, maps))
        if len(picked) == len(_LETTERS):
            return picked
    raise errors.QuickOPCError("exercise 6c: fewer than four different block maps")


def block_map_commands(rng: np.random.Generator) -> Exercise:
    """6c: given the final block maps, which order of four steps produced them."""
    for _ in range(20):  # a scene whose steps give at least four different maps
        blocks = int(rng.integers(6, 9))
        scene = _Scene(blocks, int(rng.integers(1, 3)), int(rng.integers(1, 3)),
                       tuple(pick_blocks(rng, blocks, 1, 2)), tuple(pick_blocks(rng, blocks, 1, 2)))
        try:
            picked = _orders(rng, scene)
            break
        except errors.QuickOPCError:
            continue
    else:
        raise errors.QuickOPCError("exercise 6c: no scene gives four different block maps")
    shown = picked[0][1]
    places = [int(i) for i in rng.permutation(len(_LETTERS))]  # the answer's letter varies
    by_letter = {_LETTERS[place]: picked[k] for k, place in enumerate(places)}
    steps = scene.steps()
    lines = [f"  ET001/0x1 holds \"{'ABCDEFGHIJKL'[:blocks]}\" ({blocks} one-byte blocks); "
             f"ET001/0x6 is zeroed (shown \"{EMPTY}\"); copy rate {scene.rate} block(s) per "
             "tick; acopc start -g CG1, then one of these orders of four steps:"]
    lines += [f"  ({letter}) " + "; ".join(steps[i] for i in order)
              for letter, (order, _) in sorted(by_letter.items())]
    lines += ["  The kit then prints:", *("    " + row for m in shown for row in m.splitlines())]
    answer = _LETTERS[places[0]]
    return Exercise(
        "6c", _LAB, "\n".join(lines),
        "Which order of the steps produced these block maps?", "choice", answer,
        "Read the map backwards: a block queued again after being copied means a -diff came "
        "after it was written; a 'cbw' 1 means a source write hit a block still queued; a "
        "'rolled' 1 means the destination was written before the -diff.",
        "Each order was run on the engine and gives its own map: copy-before-write and a "
        "destination write take a queued block off the queue [D: the Evaluator Group's "
        "analysis of the DX400 S2; IBM FlashCopy docs], the copier takes the lowest queued "
        "blocks [M], and a -diff queues what is tracked (and, during the copy, what is not "
        "yet copied [M]).", _LETTERS,
        mistakes=tuple((letter, f"({letter}) gives another map: "
                        f"{_first_difference(shown, maps)}")
                       for letter, (_, maps) in sorted(by_letter.items()) if letter != answer),
        rules=("B1", "B3", "B4", "B6"))


# 6d: which refusal, which code --------------------------------------------------------
ACCEPTED = "accepted"
WARNED = "accepted, with a warning (the source is unusable)"
EXISTS = "refused: a session exists"
NO_SESSION = "refused: Session does not exist (32793)"
PHASE = "refused: Phase is not correct (32794)"
SIZE = "refused: Size Not Supported (4097)"
BUSY = "refused: the destination is taken (or is the source)"
CASCADE = "refused: Cascade local copy session exist (32821)"
LIMIT = "refused: too many sessions on the source (32791)"
OUTCOMES = (ACCEPTED, WARNED, EXISTS, NO_SESSION, PHASE, SIZE, BUSY, CASCADE, LIMIT)
_REFUSALS: dict[type[errors.QuickOPCError], str] = {
    errors.SessionExistsError: EXISTS, errors.SessionNotFoundError: NO_SESSION,
    errors.PhaseError: PHASE, errors.SizeMismatchError: SIZE,
    errors.DestinationBusyError: BUSY, errors.CascadeError: CASCADE,
    errors.SessionLimitError: LIMIT}


@dataclass
class _Lab:
    """The refusal exercise's array: 0x1 -> 0x6 in CG1, spare volumes, and the steps so far."""

    array: DiskArray
    src: Volume
    pair: CopyPair
    steps: list[str]
    rng: np.random.Generator

    def group(self, name: str, source: int, destination: int) -> CopyPair:
        pair = self.array.add_copy_group(
            name, [(self.array.volume(source), self.array.volume(destination))]).pairs[0]
        self.steps.append(f"{name} = {pair.name}")
        return pair

    def do(self, text: str, action: Callable[[], object]) -> None:
        action()
        self.steps.append(text)


def _lab(rng: np.random.Generator, limit: int) -> _Lab:
    blocks = int(rng.integers(6, 11))
    array = DiskArray("ET001", copy_rate=int(rng.integers(1, 3)), max_sessions=limit)
    src, dst = array.add_volume(0x1, blocks), array.add_volume(0x6, blocks)
    array.add_volume(0x7, blocks)
    array.add_volume(0x8, blocks + int(rng.integers(1, 4)))
    src.write(slice(None), "ABCDEFGHIJKL"[:blocks])
    pair = array.add_copy_group("CG1", [(src, dst)]).pairs[0]
    steps = [f"ET001/0x1 holds \"{volume_text(src)}\"; ET001/0x6 and 0x7 have {blocks} blocks, "
             f"0x8 {array.volume(0x8).blocks}; copy rate {array.copy_rate}; at most {limit} "
             "sessions per source", "CG1 = ET001/0x1:ET001/0x6"]
    return _Lab(array, src, pair, steps, rng)


def _scene(lab: _Lab, which: int) -> tuple[str, Callable[[], object], tuple[str, str]]:
    """Scenario ``which``: steps done on ``lab``; the last command, to run, and the likely
    wrong outcome with the mistake that gives it."""
    pair, array = lab.pair, lab.array
    start = ("acopc start -g CG1", pair.start)
    if which in (0, 1, 2, 3, 4, 5, 6, 7, 8, 13):
        lab.do(*start)
    if which == 0:
        lab.do("tick 1", lambda: array.tick(1))
        return ("acopc start -g CG1", pair.start, (ACCEPTED, "a full start needs No session: "
                "while a session runs use -diff or -auto, or cancel first"))
    if which == 1:
        lab.do(f"tick {array.ticks_to_finish()}", array.run)
        return ("acopc start -g CG1", pair.start, (ACCEPTED, "a full start needs No session, "
                "also in Tracking: use -diff there"))
    if which == 2:
        lab.do("a failure on ET001/0x6 (fault injection)", lambda: array.fail(0x6))
        return ("acopc start -g CG1 -diff", lambda: pair.start(diff=True),
                (NO_SESSION, "the suspended session still exists: the refusal is 'Phase is "
                 "not correct'"))
    if which == 3:
        lab.do("a failure on ET001/0x1 (fault injection)", lambda: array.fail(0x1))
        return ("acopc start -g CG1 -auto", lambda: pair.start(auto=True),
                (PHASE, "-auto from Error suspend cancels and starts in full"))
    if which == 4:
        lab.do("acopc cancel -g CG1", pair.cancel)
        return ("acopc cancel -g CG1", pair.cancel, (ACCEPTED, "the first cancel ended the "
                "session; the second finds none"))
    if which == 5:
        lab.do("acopc cancel -g CG1", pair.cancel)
        return ("acopc start -g CG1 -diff", lambda: pair.start(diff=True),
                (ACCEPTED, "after a cancel there is no session and no tracking left to diff"))
    if which == 6:
        second = lab.group("CG2", 0x7, 0x6)
        return ("acopc start -g CG2", second.start, (ACCEPTED, "ET001/0x6 is already the "
                "destination of CG1's session"))
    if which == 7:
        second = lab.group("CG2", 0x6, 0x7)
        return ("acopc start -g CG2", second.start, (BUSY, "0x7 is free, but 0x6 would be "
                "the destination of CG1 and the source of CG2: a cascade"))
    if which == 8:
        second = lab.group("CG2", 0x1, 0x7)
        return ("acopc start -g CG2", second.start, (ACCEPTED, "the array's limit of "
                f"sessions per source is {array.max_sessions}, and CG1 already uses it"))
    return _quiet_scene(lab, which)


def _quiet_scene(lab: _Lab, which: int) -> tuple[str, Callable[[], object], tuple[str, str]]:
    """:func:`_scene` for the scenarios 9 to 13."""
    pair, array = lab.pair, lab.array
    if which == 9:
        third = lab.group("CG3", 0x1, 0x8)
        return ("acopc start -g CG3", third.start, (ACCEPTED, "source and destination "
                "must be the same size"))
    if which == 10:
        same = lab.group("CG3", 0x7, 0x7)
        return ("acopc start -g CG3", same.start, (ACCEPTED, "a volume cannot be its own "
                "copy"))
    if which == 11:
        lab.do("acopc start -g CG1", pair.start)
        lab.do(f"tick {array.ticks_to_finish()}", array.run)
        blocks = pick_blocks(lab.rng, lab.src.blocks, 1, 2)
        lab.do(f"write \"{'s' * len(blocks)}\" to ET001/0x1 blocks {blocks}",
               lambda: lab.src.write(blocks, "s"))
        lab.do("acopc start -g CG1 -r", lambda: pair.start(reverse=True))
        lab.do("acopc cancel -g CG1 -r   (before the restore has finished)",
               lambda: pair.cancel(reverse=True))
        return ("acopc start -g CG1 -diff", lambda: pair.start(diff=True),
                (ACCEPTED, "the cancelled restore left ET001/0x1 half restored: the copy runs, "
                 "but warns that it copies an unusable image"))
    if which == 12:
        return ("acopc start -g CG1 -diff", lambda: pair.start(diff=True),
                (ACCEPTED, "-diff needs a session to diff against; CG1 was never started"))
    lab.do(f"tick {array.ticks_to_finish()}", array.run)
    return ("acopc start -g CG1 -diff", lambda: pair.start(diff=True),
            (EXISTS, "-diff is the start for a pair that has a session: in Tracking it is "
             "the everyday differential copy"))


def _outcome(command: Callable[[], object]) -> str:
    """Run ``command`` on the engine: the choice that says what the array answered."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            command()
        except errors.QuickOPCError as refusal:
            return _REFUSALS[type(refusal)]
    if any(issubclass(w.category, errors.UnusableVolumeWarning) for w in caught):
        return WARNED
    return ACCEPTED


def refusal_codes(rng: np.random.Generator) -> Exercise:
    """6d: what the array answers to a command in a given state: which refusal, which code."""
    which = int(rng.integers(0, 14))
    lab = _lab(rng, 1 if which == 8 else 8)
    text, command, likely = _scene(lab, which)
    lab.steps.append(text)
    answer = _outcome(command)
    return Exercise(
        "6d", _LAB, numbered(lab.steps),
        "What does the array answer to the last command?", "choice", answer,
        "Find the pair's state before the last command. A full start needs No session; -diff "
        "needs a session not in Error suspend; cancel needs a session; and a start is checked "
        "against every other session (sizes, destinations, cascades, the limit per source).",
        "A refused command changes nothing and says why [M, with the ETERNUS codes as "
        "OpenStack Cinder's Fujitsu driver decodes them: 32793, 32794, 4097, 32821, 32791]; "
        "the kit refuses every cascade (its simplification [M]); -auto recovers from Error "
        "suspend by cancel and full start [D: the CCM guide, `acopc start`]; a copy of an "
        "unusable source runs but warns [M].", OUTCOMES, mistakes=(likely,),
        rules=("R-start", "R-diff", "R-cancel", "R-config", "U-refused", "U-cascade",
               "U-unusable-source"))
