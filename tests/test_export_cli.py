"""``qopc export``: a file or a shipped scenario by name or number, and a clear one-line error
(never a traceback) for every path it cannot read or write."""

from __future__ import annotations

import pytest

from qopc_kit import scenarios
from qopc_kit.export import main, qopc


def test_a_scenario_by_number_or_name_exports_its_replay(tmp_path, capsys):
    page = tmp_path / "one.html"
    assert qopc(["export", "01", "-o", str(page)]) == 0
    by_name = tmp_path / "two.html"
    assert main(["01_full_start", "-o", str(by_name)]) == 0
    assert page.read_text(encoding="utf-8") == by_name.read_text(encoding="utf-8")
    assert f"<title>{scenarios.load('01_full_start').name}</title>" in page.read_text("utf-8")
    frames = tmp_path / "frames"
    assert main(["3", "--frames", str(frames)]) == 0
    assert len(list(frames.glob("*.svg"))) > 3
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("case", ["unreadable", "missing parent", "page is a folder",
                                  "frames is a file", "no such scenario"])
def test_bad_paths_get_one_clear_line_and_write_nothing(tmp_path, capsys, case):
    folder = tmp_path / "a folder"
    folder.mkdir()
    existing = tmp_path / "page.html"
    existing.write_text("kept", encoding="utf-8")
    argv, said = {
        "unreadable": ([str(tmp_path / "none.qopc"), "-o", str(tmp_path / "x.html")],
                       "cannot read"),
        "missing parent": (["01", "-o", str(tmp_path / "no" / "x.html")], "cannot write"),
        "page is a folder": (["01", "-o", str(folder)], "is a folder"),
        "frames is a file": (["01", "--frames", str(existing)], "--frames needs a folder"),
        "no such scenario": (["99", "-o", str(tmp_path / "x.html")], "no scenario '99'"),
    }[case]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert qopc(["export", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qopc export: error: ") and said in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert existing.read_text(encoding="utf-8") == "kept"


def test_the_shells_help_names_export_and_teacher(capsys):
    with pytest.raises(SystemExit):
        qopc(["--help"])
    out = capsys.readouterr().out
    assert "export SCRIPT -o PAGE.html" in out and "teacher" in out
