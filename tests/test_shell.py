"""The acopc shell: parsing, each verb's output, errors, the magics and the terminal."""

from __future__ import annotations

import builtins
import re

import pytest

from qopc_kit import (
    Command,
    DiskArray,
    QuickOPCError,
    SessionExistsError,
    SessionNotFoundError,
    State,
)
from qopc_kit.shell import cli, magics
from qopc_kit.shell.help import help_text
from qopc_kit.shell.parse import ShellSyntaxError, parse_line
from qopc_kit.shell.run import acopc

SETUP = """\
volume add 0x1 blocks 8
volume add 0x6 blocks 8
acgroup create -g CG1 -type QuickOPC -a ET001
acpair add -g CG1 -p ET001/0x1:ET001/0x6
write 0x1 all ABCDEFGH"""


@pytest.fixture
def shell():
    """ET001 (copy rate 2) set up through the shell: 0x1 = A..H, 0x6 zeros, group CG1."""
    array = DiskArray("ET001", copy_rate=2)
    for line in SETUP.splitlines():
        acopc(array, line)
    return array


def test_array_acopc_runs_a_start(shell):
    """array.acopc("start -g CG1") starts the group and reports "copied" per pair."""
    out = shell.acopc("start -g CG1")
    assert shell.pair("ET001/0x1:ET001/0x6").state is State.COPYING_TRACKING
    assert out.splitlines()[0].startswith("ET001/0x1:ET001/0x6 # copied: QuickOPC full copy")
    assert "8 block(s) to copy physically [No session -> Copying/Tracking]" in out
    assert out.splitlines()[-2:] == ["Succeeded : 1", "Failed    : 0"]


def test_leading_acopc_word_is_accepted(shell):
    """'acopc start -g CG1' and 'start -g CG1' are the same command."""
    long, short = parse_line("acopc start -g CG1 -diff"), parse_line("start -g CG1 -diff")
    assert (long.verb, long.args) == (short.verb, short.args) == (
        "acopc start", {"group": "CG1", "pair": None, "command": Command.START_DIFF,
                        "reverse": False})
    shell.acopc("acopc start -g CG1")
    assert shell.pair("ET001/0x1:ET001/0x6").state is State.COPYING_TRACKING


def test_query_prints_header_and_fixed_width_table(shell):
    """query: the group header, then one row per pair with quoted status and phase."""
    shell.acopc("start -g CG1")
    shell.tick()
    lines = shell.acopc("query -g CG1").splitlines()
    assert lines[:3] == ["Copy Group Name : CG1", "Copy Group Type : QuickOPC",
                         "Disk Array Name : ET001"]
    assert lines[4].split() == ["Source", "<=>", "Target", "SID", "OPC", "Status", "Copy",
                                "Phase", "Copied", "Block", "Rest", "Block"]
    assert lines[6] == ('ET001/0x1 ==> ET001/0x6 0x1 "OPC Executing" "Copying/Tracking" '
                        '2            6')
    # Every column starts where its header starts.
    assert lines[6].index('"Copying') == lines[4].index("Copy Phase")


def test_query_flags_unusable_destination(shell):
    """After a cancel in Copying/Tracking the query notes the unusable destination."""
    shell.acopc("start -g CG1")
    out = shell.acopc("cancel -g CG1")
    assert "ET001/0x6 is unusable: its physical copy is incomplete (8 block(s)" in out
    assert "# ET001/0x6 is unusable" in shell.acopc("query -g CG1")


def test_refusal_raises_the_engine_error_and_changes_nothing(shell, fingerprint):
    """A refused start raises the kit's error with pair, reason and code; nothing changes."""
    before = fingerprint(shell)
    with pytest.raises(SessionNotFoundError, match=r"cannot start -diff on ET001/0x1:ET001/0x6: "
                       r"no session: Session does not exist \(32793\)"):
        shell.acopc("start -g CG1 -diff")
    assert fingerprint(shell) == before
    shell.acopc("start -g CG1")
    with pytest.raises(SessionExistsError, match="use -diff or -auto"):
        shell.acopc("start -g CG1")


@pytest.mark.parametrize("option", ["-xml", "-concur"])
def test_unmodelled_options_say_so(shell, option):
    """Options of the real acopc that the kit does not simulate give a 'not modelled' error."""
    with pytest.raises(ShellSyntaxError, match=f"{option} is not modelled by the kit"):
        shell.acopc(f"start -g CG1 {option}")


@pytest.mark.parametrize(("line", "column", "message"), [
    ("start -g CG1 -diff -auto", 20, "one of -diff, -auto, -r"),
    ("start -p ET001/0x1:ET001/0x6", 29, "needs -g GROUP"),
    ("start -g CG1 -g CG2", 14, "-g is given twice"),
    ("start -g CG1 -fast", 14, "no option '-fast'"),
    ("acopc stop -g CG1", 7, "acopc has no verb 'stop'"),
    ("frobnicate", 1, "unknown command 'frobnicate'"),
    ("write 0x1 3-1 A", 11, "runs backwards"),
    ("write 0x1 1 hex:4", 13, "pairs of hex digits"),
    ('write 0x1 1 "AB', 13, "unterminated quoted text"),
    ("tick 0", 6, "from 1 to"),
    ("tick -3", 6, "whole number"),
    ("volume add 0x2 blocks", 22, "missing argument: volume add"),
    ("acgroup create -g X -type OPC -a ET001", 27, "type OPC is not modelled"),
    ("read ET001/0x1 é", 16, r"U\+00E9 LATIN SMALL LETTER E WITH ACUTE is not ASCII"),
])
def test_syntax_errors_name_line_and_column(shell, fingerprint, line, column, message):
    """A malformed line raises ShellSyntaxError at the right column and runs nothing."""
    before = fingerprint(shell)
    with pytest.raises(ShellSyntaxError, match=message) as caught:
        shell.acopc(line)
    assert (caught.value.line, caught.value.column) == (1, column)
    assert str(caught.value).startswith(f"line 1, column {column}: ")
    assert isinstance(caught.value, QuickOPCError)
    assert fingerprint(shell) == before


def test_write_reports_copy_before_write_and_read_copy_on_read(shell):
    """Host I/O names the blocks that left a queue, and how."""
    shell.acopc("start -g CG1")
    assert shell.acopc("write ET001/0x1 2 x").splitlines() == [
        "ET001/0x1: wrote 1 block(s)",
        "  copied before write for ET001/0x1:ET001/0x6: block(s) 2"]
    assert shell.acopc("read ET001/0x6 2-3").splitlines() == [
        "ET001/0x6 2-3: C D", "  copied on read for ET001/0x1:ET001/0x6: block(s) 3"]
    assert "overwritten, so no copy needed for ET001/0x1:ET001/0x6: block(s) 7" in shell.acopc(
        "write 0x6 7 z")


def test_read_shows_text_or_hex_and_flags_unusable(shell):
    """Reads print printable blocks as text, others as hex, and flag an unusable volume."""
    shell.acopc("write 0x1 0-1 hex:00ff")
    assert shell.acopc("read 0x1 0-2") == "ET001/0x1 0-2: 00 ff C"
    shell.acopc("start -g CG1")
    shell.acopc("cancel -g CG1")
    out = shell.acopc("read 0x6 0")
    assert out.splitlines()[1].startswith("  WARNING: ET001/0x6 is unusable")


def test_write_data_forms(shell):
    """DATA: one byte fills, one block repeats, quoted text keeps spaces, hex: gives bytes."""
    shell.acopc("volume add 0x2 blocks 3 block-size 2")
    shell.acopc("write 0x2 all Z")
    assert shell.volume("0x2").data.tobytes() == b"ZZZZZZ"
    shell.acopc('write 0x2 0,2 "a "')
    assert shell.volume("0x2").data.tobytes() == b"a ZZa "
    shell.acopc("write 0x2 1 hex:0102")
    assert shell.acopc("read 0x2") == "ET001/0x2 0-2: 6120 0102 6120"


def test_tick_and_copy_rate(shell):
    """tick reports each running copy's counts; copy-rate applies at once."""
    shell.acopc("start -g CG1")
    assert shell.acopc("tick").splitlines() == [
        "1 tick(s)", "  ET001/0x1:ET001/0x6: Copied Block 2, Rest Block 6"]
    assert shell.acopc("copy-rate 6") == "copy rate 6 block(s) per tick per session"
    out = shell.acopc("tick 3")
    assert "Copied Block 8, Rest Block 0" in out
    assert "Copying/Tracking -> Tracking (physical copy complete)" in out


def test_fail_suspends_and_auto_recovers(shell):
    """fail VOLUME: Error suspend; start -auto stops the session and starts a full copy."""
    shell.acopc("start -g CG1")
    assert "Copying/Tracking -> Error suspend (failure)" in shell.acopc("fail ET001/0x6")
    out = shell.acopc("start -g CG1 -auto")
    assert "full copy, -auto after stopping the Error suspend session" in out
    assert shell.pair("ET001/0x1:ET001/0x6").state is State.COPYING_TRACKING


def test_pair_option_accepts_short_names(shell):
    """-p 0x1:0x6 means ET001/0x1:ET001/0x6; a pair not in the group is refused."""
    assert shell.acopc("start -g CG1 -p 0x1:0x6").startswith("ET001/0x1:ET001/0x6 # copied")
    with pytest.raises(QuickOPCError, match="has no pair"):
        shell.acopc("query -g CG1 -p 0x6:0x1")


def test_acgroup_create_and_acpair_add_build_the_group_step_by_step():
    """acgroup create makes an empty group at once; each acpair add is a step of its own."""
    array = DiskArray("ET001")
    for line in ("volume add 1 blocks 2", "volume add 2 blocks 2", "volume add 3 blocks 2",
                 "acgroup create -g G -type QuickOPC -a ET001"):
        acopc(array, line)
    assert array.group("G").pairs == ()
    with pytest.raises(QuickOPCError, match="cannot start copy group G: it has no pairs"):
        acopc(array, "acopc start -g G")
    acopc(array, "acpair add -g G -p 1:2")
    acopc(array, "acpair add -g G -p 0x1:0x3")
    assert [p.name for p in array.group("G").pairs] == ["ET001/0x1:ET001/0x2",
                                                         "ET001/0x1:ET001/0x3"]
    assert [step.action for step in array.history[-3:]] == [
        "add_copy_group", "add_pair", "add_pair"]
    with pytest.raises(QuickOPCError, match="already has ET001/0x1:ET001/0x2"):
        acopc(array, "acpair add -g G -p 1:2")
    with pytest.raises(QuickOPCError, match="no copy group 'H'"):
        acopc(array, "acpair add -g H -p 1:2")
    with pytest.raises(QuickOPCError, match="not this one"):
        acopc(array, "acgroup create -g H -type QuickOPC -a ET002")


def test_a_pair_added_to_a_group_in_use_joins_its_next_command():
    """acpair add on a group whose pairs have sessions: the new pair starts with the group."""
    array = DiskArray("ET001")
    for line in ("volume add 1 blocks 2", "volume add 2 blocks 2", "volume add 3 blocks 2",
                 "acgroup create -g G -type QuickOPC -a ET001", "acpair add -g G -p 1:2",
                 "acopc start -g G", "run", "acpair add -g G -p 1:3"):
        acopc(array, line)
    acopc(array, "acopc start -g G -p 0x1:0x3")
    assert [p.state for p in array.group("G").pairs] == [State.TRACKING, State.COPYING_TRACKING]


def test_rewind_undoes_group_definitions_too():
    """Rewinding past acgroup create / acpair add removes them, and the shell goes on."""
    array = DiskArray("ET001")
    acopc(array, "volume add 1 blocks 2")
    mark = len(array.history) - 1
    for line in ("volume add 2 blocks 2", "acgroup create -g G -type QuickOPC -a ET001",
                 "acpair add -g G -p 1:2"):
        acopc(array, line)
    array.rewind(mark)
    assert "G" not in array.groups and not array.pairs
    for line in ("volume add 2 blocks 2", "acgroup create -g G -type QuickOPC -a ET001",
                 "acpair add -g G -p 1:2", "acopc start -g G"):
        acopc(array, line)
    assert array.pair("ET001/0x1:ET001/0x2").state is State.COPYING_TRACKING


def test_acarray_add_only_starts_a_script(shell):
    """acarray add on an existing array is refused (a shell works on one array)."""
    with pytest.raises(QuickOPCError, match="first command of a script"):
        shell.acopc("acarray add -a ET002")


def test_help_documents_every_verb():
    """help lists every verb; help start explains -diff, -auto and -r."""
    overview = help_text()
    for verb in ("acopc start", "acopc cancel", "acopc query", "acgroup create", "acpair add",
                 "volume add", "write", "read", "show", "tick", "run", "copy-rate", "fail"):
        assert verb in overview
    assert "-auto: full" in acopc(DiskArray(), "help start")
    assert acopc(DiskArray(), "help acopc") == acopc(DiskArray(), "help start")


def test_show_has_no_side_effect(shell, fingerprint):
    """show prints logical and physical blocks, or a pair's bitmaps, changing nothing."""
    shell.acopc("start -g CG1")
    before = fingerprint(shell)
    assert shell.acopc("show 0x6").splitlines() == [
        "ET001/0x6: 8 block(s) of 1 byte(s), usable",
        "  logical  A B C D E F G H",
        "  physical 00 00 00 00 00 00 00 00"]
    assert "queued              11111111" in shell.acopc("show 0x1:0x6")
    assert fingerprint(shell) == before


def test_line_magic_and_cell_magic_functions():
    """%%qopc runs a cell as a script and keeps its array; %acopc then works on it."""
    out = magics.qopc_cell(SETUP)
    assert out.startswith("> volume add 0x1 blocks 8")
    assert "ET001/0x1:ET001/0x6 # copied" in magics.acopc_line("start -g CG1")
    assert magics.acopc_line("start -g CG1").startswith("ERROR: cannot start on")
    assert magics.acopc_line("query -g CG1 -xml").startswith("ERROR: line 1, column 14")
    assert magics.current().pair("ET001/0x1:ET001/0x6").state is State.COPYING_TRACKING


def test_ipython_extension_registers_both_magics():
    """load_ipython_extension registers %acopc and %%qopc with the running IPython."""
    registered = []

    class FakeIPython:
        def __init__(self):
            self.user_ns = {}

        def register_magic_function(self, function, kind, name):
            registered.append((kind, name))

    magics.load_ipython_extension(FakeIPython())
    assert registered == [("line", "acopc"), ("cell", "qopc")]


def test_terminal_runs_a_script_and_sets_exit_status(tmp_path, capsys):
    """python -m qopc_kit FILE prints the transcript; a refusal exits 1, --strict stops there."""
    script = tmp_path / "lab.qopc"
    script.write_text(SETUP)
    assert cli.main([str(script)]) == 0
    capsys.readouterr()
    script.write_text(SETUP + "\nacopc start -g CG1 -diff\ntick\n")
    assert cli.main([str(script)]) == 1
    captured = capsys.readouterr()
    assert "ERROR: cannot start -diff on ET001/0x1:ET001/0x6" in captured.out
    assert "> tick" in captured.out  # the lines after a refusal still run
    assert "1 command(s) refused (line 6)" in captured.err
    assert cli.main(["--strict", str(script)]) == 1
    assert "stopped (--strict) at line 6" in capsys.readouterr().err
    script.write_text("tick\nstart -g CG1 -xml\n")
    assert cli.main([str(script)]) == 2
    err = capsys.readouterr().err
    assert "nothing was run" in err and "line 2, column 14" in err


def test_terminal_prompt_runs_lines_until_end_of_input(monkeypatch, tmp_path, capsys):
    """With no file: a prompt on a new ET001; errors print, the loop goes on, status 1."""
    monkeypatch.setattr(cli, "HISTORY", tmp_path / "history")
    lines = iter(["help start", "volume add 0x1 blocks 4", "tick 0", "read 0x1"])

    def fake_input(prompt):
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr(builtins, "input", fake_input)
    assert cli.main([]) == 1
    out, err = capsys.readouterr()
    assert "acopc start -g GROUP" in out
    assert "ERROR: line 3, column 6: tick count must be a whole number from 1" in err
    assert "ET001/0x1 0-3: 00 00 00 00" in out


@pytest.mark.parametrize(("line", "message"), [
    ("start -g NOPE", "acopc start: no copy group 'NOPE' in ET001"),
    ("read 0x1 9", "read: ET001/0x1: block 9 is out of range"),
    ("volume add 0x1 blocks 2", "volume add: volume ET001/0x1 already exists"),
    ("acpair add -g CG9 -p 0x1:0x6", "acpair add: no copy group 'CG9' in ET001"),
])
def test_refusals_name_the_command(shell, fingerprint, line, message):
    """Every refusal starts with the command that was refused, and changes nothing."""
    before = fingerprint(shell)
    with pytest.raises(QuickOPCError) as caught:
        shell.acopc(line)
    assert str(caught.value).startswith(message)
    assert fingerprint(shell) == before


def test_a_cell_starting_with_acarray_add_builds_a_new_array():
    """Re-running a %%qopc cell that starts with acarray add starts the lab afresh."""
    cell = "acarray add -a ET009\n" + SETUP.replace("ET001", "ET009")
    first = magics.qopc_cell(cell)
    assert magics.current().name == "ET009"
    magics.acopc_line("start -g CG1")
    assert magics.qopc_cell(cell) == first
    assert magics.current().pair("ET009/0x1:ET009/0x6").state is State.NO_SESSION


def test_show_and_read_say_which_blocks_a_suspended_copy_never_delivered(shell):
    """In Error suspend, show lists the blocks still queued and read warns about them."""
    shell.acopc("acopc start -g CG1")
    shell.acopc("fail 0x1")
    assert "copy from ET001/0x1 in Error suspend, not copied: 0-7" in shell.acopc("show 0x6")
    assert "WARNING: ET001/0x6: 2 block(s) read never reached it" in shell.acopc("read 0x6 0-1")


def test_terminal_refuses_a_file_that_is_not_text(tmp_path, capsys):
    """A script that is not UTF-8 is refused with exit status 2 and a one-line reason."""
    script = tmp_path / "binary.qopc"
    script.write_bytes(b"tick\n\xff\xfe\n")
    assert cli.main([str(script)]) == 2
    assert "not UTF-8 text (byte 5)" in capsys.readouterr().err


# Lines and characters as an editor counts them ------------------------------------------------

def test_only_newline_carriage_return_and_crlf_end_a_line():
    """A form feed, \\x1c-\\x1e, \\x85, U+2028 or U+2029 is refused where it is, not a line end."""
    from qopc_kit.script import parse_script
    assert [n for n, _, _ in parse_script("tick 1\r\ntick 2\rtick 3\n\n")] == [1, 2, 3, 4]
    for char, name in [("\x0c", "U+000C FORM FEED"), ("\x1c", "U+001C FILE SEPARATOR"),
                       ("\x1d", "U+001D GROUP SEPARATOR"), ("\x1e", "U+001E RECORD SEPARATOR"),
                       ("\x85", "U+0085 NEXT LINE"), ("\u2028", "U+2028 LINE SEPARATOR"),
                       ("\u2029", "U+2029 PARAGRAPH SEPARATOR"), ("\x00", "U+0000 NULL"),
                       ("\x7f", "U+007F DELETE")]:
        with pytest.raises(ShellSyntaxError, match=re.escape(f"control character {name} ")) as caught:
            parse_script(f"tick 1\ntick 2{char}tick 3\n")
        assert (caught.value.line, caught.value.column) == (2, 7)
    with pytest.raises(ShellSyntaxError) as caught:
        parse_script("tick 1\n\x0c\nbogus\n")
    assert (caught.value.line, caught.value.column) == (2, 1)
    assert "line 3, column 1: unknown command 'bogus'" in str(caught.value)  # not line 4


def test_non_ascii_in_a_command_is_refused_naming_it_and_its_column():
    """tick\\u00a03 is not 'tick 3': the character is named, with its column."""
    array = DiskArray("ET001")
    with pytest.raises(ShellSyntaxError,
                       match=r"column 5: character U\+00A0 NO-BREAK SPACE is not ASCII"):
        acopc(array, "tick\u00a03")
    with pytest.raises(ShellSyntaxError, match=r"column 16: character U\+00E9 LATIN SMALL"):
        acopc(array, 'write 0x1 0 "ab\u00e9"')
    assert len(array.history) == 1  # nothing ran


def test_comments_may_hold_any_text_but_control_characters():
    """A # comment may be Japanese; a tab separates words; a control character is refused."""
    from qopc_kit.script import parse_script, run_script
    text = "# バックアップの手順\ntick\t2  # 二回\n"
    assert [c.args for _, _, c in parse_script(text) if c] == [{"n": 2}]
    assert run_script(text).text.splitlines()[0] == "# バックアップの手順"
    with pytest.raises(ShellSyntaxError, match=r"line 1, column 5: control character U\+000B"):
        parse_script("# a \x0b b\n")


# The magics in a real IPython shell -------------------------------------------------------------

@pytest.fixture
def ipython():
    """An IPython shell with the magics loaded (history on, as in a notebook kernel)."""
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext qopc_kit.magics", store_history=True)
    yield shell
    InteractiveShell.clear_instance()


_LAB_CELL = ("%%qopc\nacarray add -a ET001\nvolume add 0x1 blocks 2\nvolume add 0x2 blocks 2\n"
             "acgroup create -g CG1 -type QuickOPC -a ET001\nacpair add -g CG1 -p 0x1:0x2")


def test_acopc_returns_the_text_it_printed_and_shows_it_once(ipython, capsys):
    """out = %acopc query works; a cell ending in %acopc prints its text once, not twice."""
    assert ipython.run_cell(_LAB_CELL, store_history=True).success
    capsys.readouterr()
    result = ipython.run_cell("out = %acopc query -g CG1", store_history=True)
    printed = capsys.readouterr().out
    assert result.success and ipython.user_ns["out"] == printed.rstrip("\n")
    assert ipython.user_ns["out"].startswith("Copy Group Name : CG1")
    result = ipython.run_cell("%acopc start -g CG1", store_history=True)
    printed = capsys.readouterr().out
    assert result.success and printed.count("Succeeded : 1") == 1  # no second display
    ipython.run_cell("out", store_history=True)  # a later cell shows the value
    assert capsys.readouterr().out.count("Copy Group Name : CG1") == 1


def test_a_refused_line_fails_the_cell_with_the_message_and_no_traceback(ipython, capsys):
    """%acopc and %%qopc: the array's message as the error, the cell fails, later lines wait."""
    ipython.run_cell(_LAB_CELL, store_history=True)
    ipython.run_cell("%acopc start -g CG1", store_history=True)
    before = capsys.readouterr()
    result = ipython.run_cell("%acopc start -g CG1\nprint('after')", store_history=True)
    shown = capsys.readouterr().out
    assert not result.success
    assert shown.strip() == ("ERROR: cannot start on ET001/0x1:ET001/0x2: a session exists "
                             "(Copying/Tracking); use -diff or -auto, or cancel first")
    assert "Traceback" not in shown and "after" not in shown and before.err == ""
    result = ipython.run_cell("%%qopc\ntick\nacopc start -g CG1\ntick", store_history=True)
    shown = capsys.readouterr().out.splitlines()
    assert not result.success
    assert shown[0] == "> tick" and shown[-2] == "> acopc start -g CG1"
    assert shown[-1].startswith("ERROR: line 2: cannot start on ET001/0x1:ET001/0x2")
    assert shown.count("> tick") == 1  # the line after the refusal did not run
    assert ipython.run_cell("%%qopc bogus\ntick", store_history=True).success is False
    assert "no DiskArray called 'bogus'" in capsys.readouterr().out


def test_keep_going_runs_every_line_like_a_transcript(ipython, capsys):
    """%%qopc --keep-going: refusals are ERROR lines and the cell succeeds."""
    ipython.run_cell(_LAB_CELL, store_history=True)
    capsys.readouterr()
    result = ipython.run_cell("%%qopc --keep-going\nacopc start -g CG1 -diff\ntick",
                              store_history=True)
    shown = capsys.readouterr().out.splitlines()
    assert result.success
    assert shown[1].startswith("ERROR: cannot start -diff on ET001/0x1:ET001/0x2")
    assert shown[2:] == ["> tick", "1 tick(s): no physical copy is running"]


def test_magic_help_explains_the_syntax(ipython):
    """%acopc? and %%qopc? show how each magic is written."""
    line_doc = ipython.find_line_magic("acopc").__doc__
    cell_doc = ipython.find_cell_magic("qopc").__doc__
    assert "out = %acopc query -g CG1" in line_doc and "fails the cell" in line_doc
    assert "%%qopc --keep-going" in cell_doc and "%%qopc ARRAY" in cell_doc
