"""The checked questions of lessons 5, 6 and 8: the engine's answers, the reveal, the stored
notebooks (nothing answered in the open) and the defects of issue 16 that stay fixed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from qopc_kit import DiskArray, QuickOPCError
from qopc_kit.teaching.compare import week_of_backups
from qopc_kit.teaching.model import Exercise, format_answer
from qopc_kit.teaching.predict import predict
from qopc_kit.teaching.questions import lessons_5_8 as questions
from qopc_kit.views.blockmap import capture

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = {n: ROOT / "notebooks" / f for n, f in
             (("05", "05_cancel.ipynb"), ("06", "06_acopc_lab.ipynb"),
              ("08", "08_why_quickopc.ipynb"))}


def lesson5() -> tuple[DiskArray, object]:
    array = DiskArray("ET001", copy_rate=2)
    src = array.add_volume(0x1, blocks=12)
    dst = array.add_volume(0x6, blocks=12)
    src.write(slice(None), "ABCDEFGHIJKL")
    return array, array.add_copy_group("CG1", pairs=[(src, dst)]).pairs[0]


def check(exercise: Exercise, expected: object, result: object = "RESULT-TEXT") -> None:
    """The answer is ``expected``; a right answer opens the result, a wrong one does not;
    each listed mistake is wrong and gets its own message; choices are >= 4 and hold it."""
    assert exercise.answer == expected
    shown = predict(exercise, result)
    assert not shown.revealed
    assert shown.answer(format_answer(exercise.kind, expected)).correct and shown.revealed
    for wrong, mistake in exercise.mistakes:
        if wrong != expected:
            feedback = exercise.judge(format_answer(exercise.kind, wrong))
            assert not feedback.correct and mistake in feedback.message
    if exercise.kind == "choice":
        assert len(exercise.choices) >= 4 and expected in exercise.choices
    assert exercise.hint and exercise.why and ("[D" in exercise.why or "[M]" in exercise.why)


# Lesson 5 ----------------------------------------------------------------------------------
def test_l05_never_copied_is_what_was_still_queued():
    """L05.1: the blocks never copied are the ones still queued when the session ended."""
    array, pair = lesson5()
    pair.start()
    array.tick(2)
    pair.destination.write(9, "w")
    queued = tuple(int(b) for b in np.flatnonzero(capture(pair).masks["queued"]))
    pair.cancel()
    assert queued == (4, 5, 6, 7, 8, 10, 11)
    assert not pair.destination.usable
    check(questions.l05_never_copied(pair, host_written=9), queued,
          questions.cancel_report(pair))


def test_cancel_report_shows_the_unusable_volume_everywhere():
    """The folded result of L05.1 has the state, the missing row, the query and the warning."""
    array, pair = lesson5()
    pair.start()
    array.tick(2)
    pair.cancel()
    report = questions.cancel_report(pair)
    assert "acopc cancel" in report and "UNUSABLE" in report and "missing" in report
    assert "# ET001/0x6 is unusable" in report and "UnusableVolumeWarning" in report


def test_l05_diff_after_cancel_is_refused_with_32793():
    """L05.2: -diff after a cancel is refused: the session does not exist."""
    array, pair = lesson5()
    pair.start()
    pair.cancel()
    with pytest.raises(QuickOPCError) as refused:
        pair.start(diff=True)
    assert refused.value.code == 32793
    tried = questions.attempt(pair, diff=True)
    assert tried.refusal is not None and "refused:" in tried.text
    check(questions.l05_diff_after_cancel(tried), "refused: Session does not exist (32793)")


def test_l05_cancel_in_tracking_keeps_the_last_logical_copy():
    """L05.3: a cancel in Tracking leaves a usable destination with the last logical copy."""
    array, pair = lesson5()
    pair.start()
    array.run()
    pair.source.write(0, "s")
    pair.cancel()
    assert pair.destination.usable
    held = bytes(pair.destination.read(0)[:, 0]).decode()
    assert held == "A"
    check(questions.l05_cancel_in_tracking(pair, block=0), f"usable; block 0 reads {held}")


def test_l05_next_start_is_full():
    """L05.4: after a cancel the next start queues every block (tracking is gone [M])."""
    array, pair = lesson5()
    pair.start()
    array.run()
    pair.source.write(0, "s")
    pair.cancel()
    tried = questions.attempt(pair, diff=True, full=True)
    assert "full start: 12 of 12" in tried.text
    check(questions.l05_next_start(pair), pair.source.blocks)
    wrong = questions.l05_next_start(pair).judge("1")
    assert "tracking went with the session" in wrong.message


# Lesson 6 ----------------------------------------------------------------------------------
SETUP = """acarray add -a ET001 -copy-rate 2
volume add 0x1 blocks 8
volume add 0x6 blocks 8
volume add 0x2 blocks 8
volume add 0x7 blocks 8
acgroup create -g CG1 -type QuickOPC -a ET001
acpair add -g CG1 -p ET001/0x1:ET001/0x6
acpair add -g CG1 -p ET001/0x2:ET001/0x7
write ET001/0x1 all ABCDEFGH
write ET001/0x2 all abcdefgh
volume add 0x3 blocks 4
acgroup create -g CG2 -type QuickOPC -a ET001
acpair add -g CG2 -p ET001/0x1:ET001/0x3"""
P1, P2 = "ET001/0x1:ET001/0x6", "ET001/0x2:ET001/0x7"


def lesson6_api() -> DiskArray:
    """The same array as lesson 6's set-up, built with the engine's API."""
    array = DiskArray("ET001", copy_rate=2)
    volumes = {n: array.add_volume(n, blocks=8) for n in (0x1, 0x6, 0x2, 0x7)}
    small = array.add_volume(0x3, blocks=4)
    volumes[0x1].write(slice(None), "ABCDEFGH")
    volumes[0x2].write(slice(None), "abcdefgh")
    array.add_copy_group("CG1", pairs=[(volumes[0x1], volumes[0x6]),
                                       (volumes[0x2], volumes[0x7])])
    array.add_copy_group("CG2", pairs=[(volumes[0x1], small)])
    return array


def refused(*calls) -> tuple[int, ...]:
    """The 1-based numbers of the calls the engine refuses."""
    found = []
    for number, call in enumerate(calls, start=1):
        try:
            call()
        except QuickOPCError:
            found.append(number)
    return tuple(found)


STEPS = {
    "start": "acopc start -g CG1\ntick\nacopc query -g CG1",
    "again": f"acopc start -g CG1\nacopc start -g CG1 -p {P1} -diff\nacopc query -g CG1",
    "group": f"run\nacopc cancel -g CG1 -p {P2}\nacopc start -g CG1 -diff\n"
             "acopc start -g CG1 -auto\nacopc query -g CG1",
    "restore": f"run\nwrite ET001/0x1 0-2 zzz\nacopc start -g CG1 -p {P1} -r\n"
               "acopc query -g CG1 -r\nshow ET001/0x1",
    "errors": f"acopc start -g CG1 -p {P1} -r\nacopc start -g CG1 -p {P1} -auto\nrun\n"
              f"acopc cancel -g CG1 -p {P1} -r\nfail ET001/0x2\n"
              f"acopc start -g CG1 -p {P2} -diff\nacopc start -g CG1 -p {P2} -auto\n"
              "acopc start -g CG2 -auto\nacopc query -g CG1",
}


@pytest.fixture
def lab():
    """Lesson 6's array as its set-up cell builds it, the current array of the magics."""
    return questions.lab(SETUP).array


def test_l06_questions_follow_the_engine(lab):
    """L06.1-5 on the lesson's array give what the engine's API gives on the same steps."""
    api = lesson6_api()
    g1, g2, p1, p2 = api.group("CG1"), api.group("CG2"), api.pair(P1), api.pair(P2)
    g1.start()
    api.tick()
    shown = questions.lab(STEPS["start"])
    check(questions.l06_rest_after_tick(lab, P1), p1.rest_blocks, shown)
    assert p1.rest_blocks == 6

    expected = refused(g1.start, lambda: p1.start(diff=True))
    check(questions.l06_start_again(STEPS["again"], questions.lab(STEPS["again"])), expected)
    assert expected == (1,)

    expected = refused(api.run, p2.cancel, lambda: g1.start(diff=True),
                       lambda: g1.start(auto=True))
    check(questions.l06_group_all_or_none(STEPS["group"], questions.lab(STEPS["group"])),
          expected)
    assert expected == (3,)

    api.run()
    p1.source.write(slice(0, 3), "zzz")
    p1.start(reverse=True)
    image = bytes(p1.source.image()[:, 0]).decode()
    check(questions.l06_restore(questions.lab(STEPS["restore"]).array, "ET001/0x1"), image)
    assert image == "ABCDEFGH"

    expected = refused(lambda: p1.start(reverse=True), lambda: p1.start(auto=True), api.run,
                       lambda: p1.cancel(reverse=True), lambda: api.fail("ET001/0x2"),
                       lambda: p2.start(diff=True), lambda: p2.start(auto=True),
                       lambda: g2.start(auto=True))
    transcript = questions.lab(STEPS["errors"])
    check(questions.l06_errors(STEPS["errors"], transcript), expected)
    assert expected == (1, 2, 4, 6, 8)
    codes = [re.search(r"\((\d+)\)$", message) for _, message in transcript.refusals]
    assert [c.group(1) if c else None for c in codes] == [None, "32794", "32793", "32794",
                                                         "4097"]


def test_auto_is_refused_during_a_reverse_opc_and_on_a_size_mismatch():
    """-auto is not accepted everywhere: 32794 while the reverse OPC copies, 4097 on sizes."""
    api = lesson6_api()
    p1 = api.pair(P1)
    p1.start()
    api.run()
    p1.source.write(0, "z")
    p1.start(reverse=True)
    with pytest.raises(QuickOPCError) as phase:
        p1.start(auto=True)
    with pytest.raises(QuickOPCError) as size:
        api.group("CG2").start(auto=True)
    assert (phase.value.code, size.value.code) == (32794, 4097)


def test_state_table_tags_the_reverse_copy_as_spec_does():
    """The -r row is split: plain OPC [D: CCM]; needs Tracking [M]; records blocks [M]; every
    [D] names its document and the key lists each document used."""
    text = questions.state_table()
    row = next(line for line in text.splitlines() if "Tracking          acopc start -r" in line)
    assert "plain OPC destination -> source [D: CCM]" in row
    assert "only from Tracking [M]" in row and "records the restored blocks [M]" in row
    assert not row.rstrip().endswith("[D]")
    assert "the OPC ends by itself [D: CCM]" in text and "writes since the backup are lost" in text
    assert "[D]" not in text
    for key in re.findall(r"\[D: ([^,\]]+)", text):
        assert f"\n{key}: " in text


def test_lab_leaves_its_array_current():
    """questions.lab runs on the magics' current array, as %%qopc does."""
    from qopc_kit.magics import current
    array = questions.lab(SETUP).array
    assert current() is array
    transcript = questions.lab("acopc query -g CG1")
    assert transcript.array is array and not transcript.refusals


# Lesson 8 ----------------------------------------------------------------------------------
def replay_week(blocks: int, days: int, change_rate: float, copy_rate: int, seed: int):
    """QuickOPC's and OPC's Copied Block per day, replayed on the engine's API with the same
    seeded writes as week_of_backups draws them."""
    rng = np.random.default_rng(seed)
    runs = []
    for diff in (False, True):
        array = DiskArray("ET001", copy_rate=copy_rate, snapshots=False)
        src, dst = array.add_volume(0x1, blocks=blocks), array.add_volume(0x6, blocks=blocks)
        runs.append((array, src, array.add_copy_group("CG1", pairs=[(src, dst)]).pairs[0], diff))
    copied: dict[bool, list[int]] = {False: [], True: []}
    for day in range(1, days + 1):
        written = (np.arange(blocks) if day == 1 else
                   rng.integers(0, blocks, size=rng.binomial(blocks, change_rate)))
        data = rng.integers(1, 256, size=written.size, dtype=np.uint8)
        for array, src, pair, diff in runs:
            src.write(written, data[:, None])
            if pair.state.has_session and not diff:
                pair.cancel()
            pair.start(diff=diff and pair.state.has_session)
            copied[diff].append(pair.rest_blocks)
            array.run()
    return copied[False], copied[True]


def test_l08_day_copies_and_share_follow_the_engine():
    """L08.1: day 2's QuickOPC copy; L08.2: QuickOPC's share of OPC's blocks over the week."""
    week = week_of_backups(blocks=256, days=7, change_rate=0.1, copy_rate=16, seed=0)
    opc, quick = replay_week(256, 7, 0.1, 16, 0)
    check(questions.l08_day_copies(week, day=2), quick[1], week)
    assert opc == [256] * 7 and quick[1] < 256
    share = f"{sum(quick) / sum(opc):.0%}"
    check(questions.l08_share(week), share, week)
    big = week_of_backups(blocks=4096, days=7, change_rate=0.02, copy_rate=64, seed=1)
    opc, quick = replay_week(4096, 7, 0.02, 64, 1)
    check(questions.l08_share(big), f"{sum(quick) / sum(opc):.0%}", big)


def test_week_table_has_no_empty_usable_column_and_explains_day_one():
    """No "tick 0/0" column; day 1's writes and the usable-at-once check are said in words."""
    week = week_of_backups(blocks=64, days=3, change_rate=0.25, copy_rate=8, seed=7)
    assert "tick 0/0" not in week.summary() and "usable at" not in week.table()
    notes = "\n".join(week.notes())
    assert "day 1: the new source volume is filled" in notes and "64 blocks written" in notes
    assert "at tick 0 (the logical copy)" in notes


def test_plot_legend_clear_of_the_bars_and_a_text_alternative():
    """The legend covers no bar; the HTML view has the table, alt text and a caption."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    week = week_of_backups(blocks=256, days=7, change_rate=0.1, copy_rate=16, seed=0)
    figure, ax = plt.subplots(figsize=(7, 3.2))
    week.plot(ax)
    figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert not [bar for bar in ax.patches if bar.get_window_extent().overlaps(legend)]
    plt.close(figure)
    page = week._repr_html_()
    caption = week.caption()
    assert "256 every day" in caption and f"alt='{caption}'" in page
    assert f"<figcaption>{caption}</figcaption>" in page and "QuickOPC copied" in page


# The stored notebooks ----------------------------------------------------------------------
def cells(name: str) -> list[dict]:
    return json.loads(NOTEBOOKS[name].read_text(encoding="utf-8"))["cells"]


def text(cell: dict) -> str:
    value = cell["source"]
    return value if isinstance(value, str) else "".join(value)


def open_outputs(cell: dict) -> str:
    """What a cell shows without opening anything: its outputs, <details> blocks removed."""
    found = []
    for output in cell.get("outputs", []):
        found.append("".join(output.get("text", "")))
        for kind, value in output.get("data", {}).items():
            if kind.startswith("text/"):
                value = value if isinstance(value, str) else "".join(value)
                found.append(re.sub(r"<details>.*?</details>", "", value, flags=re.S))
    return "\n".join(found)


#: What would answer a question if it were on screen (results of the folded steps).
ANSWERED = {
    "05": ["never copied: [4", "a host reads ET001/0x6", "full start: 12 of 12", "0x6 UNUSABLE",
           "Blocks 4 to 8", "All 12."],
    "06": ["Rest Block 6", "ERROR: cannot", "logical  A B C D E F G H", "Size Not Supported",
           "reads `ABCDEFGH`"],
    "08": ["QuickOPC copied", "of OPC)", "share tends to", "tick 0/0"],
}


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_stored_lessons_answer_nothing_in_the_open(name):
    """Every predict step shows its question with the result in a closed <details>, and no
    output or prose shows what it folds."""
    found = cells(name)
    asked = [c for c in found if c["cell_type"] == "code" and "predict(questions.l0" in text(c)]
    assert len(asked) >= (2 if name == "08" else 4)
    for cell in asked:
        html = "".join("".join(o["data"]["text/html"]) for o in cell["outputs"] if "data" in o)
        assert "<details>" in html and "<details open" not in html
    for cell in found:
        shown = open_outputs(cell) + (text(cell) if cell["cell_type"] == "markdown" else "")
        for marker in ANSWERED[name]:
            assert marker not in shown, (marker, text(cell)[:80])


RULES = {"05": ["T-cancel-copy", "T-cancel-track", "U-unusable"],
         "06": ["T-auto", "R-start", "R-diff", "R-cancel", "V-reverse", "V-end", "U-refused"]}


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_rule_is_tagged_once(name):
    """Each rule of the lesson tags exactly one cell."""
    tags = [t for c in cells(name) for t in c.get("metadata", {}).get("tags", [])]
    assert sorted(t for t in tags if t.startswith("rule:")) == sorted(f"rule:{r}"
                                                                      for r in RULES[name])


def test_lesson_5_in_text_runs_no_command_and_says_what_it_shows():
    """05's "In text" has prose and only reads: no tick, cancel, start or panel redraw."""
    found = cells("05")
    index = next(i for i, c in enumerate(found) if text(c).startswith("## In text"))
    assert len(text(found[index]).split()) > 20
    code = text(found[index + 1])
    assert not re.search(r"\.(tick|cancel|start|run|write|refresh)\(", code)


def test_lesson_6_recap_and_reverse_copy_tags():
    """06 no longer says -auto works everywhere and tags the -r facts as SPEC.md does."""
    markdown = "\n".join(text(c) for c in cells("06") if c["cell_type"] == "markdown")
    assert "works everywhere" not in markdown
    assert "32794" in markdown and "4097" in markdown
    assert "plain OPC from the\ndestination to the source [D: AdvancedCopy Manager CCM" in markdown
    table = open_outputs(next(c for c in cells("06") if "state_table()" in text(c)))
    assert "only from Tracking [M]" in table


def test_lesson_8_button_names_and_named_documents():
    """08 names the dashboard's buttons as they are labelled; every [D] names its document."""
    from qopc_kit import dashboard
    markdown = "\n".join(text(c) for c in cells("08") if c["cell_type"] == "markdown")
    panel = markdown.split("## The panel", 1)[1].split("##", 1)[0]
    labels = set(re.findall(r"\*([A-Z][a-z]+(?: [a-z]+)*)\*", panel))
    known = set(dashboard(blocks=4).buttons)
    assert labels and labels <= known and "Run to end" in labels
    for name in NOTEBOOKS:
        for cell in cells(name):
            if cell["cell_type"] == "markdown":
                assert not re.search(r"(?<!\*)\[D\](?!\*)", text(cell)), text(cell)[:80]
                assert "Fujitsu's description" not in text(cell)
