"""One list of dependencies, the command line's subcommands and the packaging metadata.

pyproject.toml is the list; environment.yml, binder/environment.yml and requirements.txt
must name the same packages with the same minimum versions (conda-forge spells three of
them differently). The slow checks (a built wheel alone, the Binder build) are in
test_packaging_dist.py and test_packaging_binder.py.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

import qopc_kit
from qopc_kit.scenarios import list_scenarios, load
from qopc_kit.shell import materials
from qopc_kit.shell.cli import main, scenario_name

try:
    import tomllib
except ImportError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# conda-forge name -> PyPI name, where they differ.
CONDA_TO_PIP = {"python-graphviz": "graphviz", "python-build": "build",
                "matplotlib-base": "matplotlib"}
CONDA_ONLY = {"python", "pip", "graphviz"}  # conda's graphviz is the `dot` program
_CONDA_SPEC = re.compile(r"([A-Za-z0-9_.-]+)\s*(?:(>=|==|=)\s*([0-9][^\s,]*))?")


def minimum(requirement: Requirement) -> str | None:
    """The version after ``>=`` in a requirement, None when it has no lower bound."""
    bounds = [spec.version for spec in requirement.specifier if spec.operator == ">="]
    return bounds[0] if bounds else None


def extra(name: str) -> dict[str, str | None]:
    """Package -> minimum version of the base dependencies plus extra ``name``, flattened
    (``qopc-kit[widgets]`` inside an extra brings that extra's packages)."""
    found: dict[str, str | None] = {}
    lines = list(PYPROJECT["project"]["dependencies"])
    if name:
        lines += PYPROJECT["project"]["optional-dependencies"][name]
    for line in lines:
        requirement = Requirement(line)
        if requirement.name == "qopc-kit":
            for inner in requirement.extras:
                found.update(extra(inner))
        else:
            found[requirement.name] = minimum(requirement)
    return found


def conda_environment(path: Path) -> tuple[dict[str, tuple[str, str]], dict]:
    """PyPI name -> (operator, version) of a conda environment file, and the file itself."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = {}
    for item in document["dependencies"]:
        if isinstance(item, dict):
            continue
        match = _CONDA_SPEC.fullmatch(item.strip())
        assert match, f"{path.name}: cannot read {item!r}"
        name, operator, version = match.groups()
        if name in CONDA_ONLY:
            continue
        found[CONDA_TO_PIP.get(name, name)] = (operator or "", version or "")
    return found, document


def test_extras_match_roles():
    """The engine needs numpy alone; widgets, lab and dev add one role each, in that order."""
    assert extra("") == {"numpy": "1.24"}
    widgets, lab, dev = extra("widgets"), extra("lab"), extra("dev")
    assert set(widgets) - {"numpy"} == {"ipywidgets", "anywidget", "matplotlib"}
    assert set(lab) - set(widgets) == {"jupyterlab", "voila"}
    assert {"pytest", "hypothesis", "nbval", "ruff", "mypy", "graphviz", "playwright",
            "jupyter-repo2docker", "build", "notebook", "nbgrader"} == set(dev) - set(lab)
    assert all(version for version in dev.values()), "every dependency has a minimum"


def test_environment_yml_is_the_dev_extra():
    """environment.yml (a conda .venv) has the dev extra's packages at the same minimums."""
    found, document = conda_environment(ROOT / "environment.yml")
    assert found == {name: (">=", version) for name, version in extra("dev").items()}
    assert "graphviz" in document["dependencies"], "the `dot` program"


def test_requirements_txt_is_the_widgets_extra():
    """requirements.txt (pip-only hubs) is the kernel environment: the widgets extra."""
    lines = [line.split("#")[0].strip()
             for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    found = {Requirement(line).name: minimum(Requirement(line)) for line in lines if line}
    assert found == extra("widgets")


def test_binder_environment_is_pinned_kernel_packages():
    """binder/environment.yml: the widgets extra plus voila, each pinned at or above the
    minimum, a Python that requires-python allows, and no pip section (no local install)."""
    found, document = conda_environment(ROOT / "binder" / "environment.yml")
    wanted = extra("widgets") | {"voila": extra("lab")["voila"]}
    assert set(found) == set(wanted)
    for name, (operator, version) in found.items():
        assert operator == "=", f"{name} is pinned with '=' in binder/environment.yml"
        assert Version(version) >= Version(wanted[name]), name
    assert not [item for item in document["dependencies"] if isinstance(item, dict)]
    python = next(item for item in document["dependencies"] if item.startswith("python="))
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(
        python.split("=")[1] + ".0")


def test_binder_post_build_installs_the_kit_alone():
    """binder/postBuild is executable and installs the checkout without dependencies."""
    post_build = ROOT / "binder" / "postBuild"
    assert os.access(post_build, os.X_OK)
    assert re.search(r"pip install --no-deps (--no-cache-dir )?\.$",
                     post_build.read_text(encoding="utf-8"), re.MULTILINE)


def test_makefile_installs_defined_extras():
    """Every extra the Makefile installs is one that pyproject.toml defines."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installed = re.findall(r'-e "\.\[([a-z,]+)\]"', makefile)
    assert len(installed) == 3  # .venv with pip, with the host's pip, and .venv-min
    defined = set(PYPROJECT["project"]["optional-dependencies"])
    for extras in installed:
        assert set(extras.split(",")) <= defined


def test_metadata_license_classifiers_authors():
    """The MIT licence is a file beside its declaration; classifiers and authors are set."""
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert {"Framework :: Jupyter", "Intended Audience :: Education",
            "Topic :: System :: Archiving :: Backup"} <= set(project["classifiers"])
    assert project["authors"]
    assert project["version"] == qopc_kit.__version__


def test_version(capsys):
    """qopc --version prints the kit's version."""
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"qopc-kit {qopc_kit.__version__}"


def test_list_names_every_scenario_with_its_title(capsys):
    """qopc list has one line per shipped scenario: its name and its title."""
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list_scenarios()
    assert lines[3].split(None, 1)[1] == load("04_restart_during_copy").title


@pytest.mark.parametrize("spelling", ["04", "4", "04_restart_during_copy",
                                      "04_restart_during_copy.qopc"])
def test_run_by_name_or_number(capsys, spelling):
    """qopc run takes a scenario's name or its number; it prints the golden transcript."""
    assert scenario_name(spelling) == "04_restart_during_copy"
    assert main(["run", spelling]) == 0
    assert capsys.readouterr().out == load("04_restart_during_copy").golden


@pytest.mark.parametrize("spelling", ["99", "0", "full_start", "04x", ""])
def test_run_unknown_scenario(capsys, spelling):
    """An unknown scenario is refused with the names there are, status 2, nothing run."""
    assert main(["run", spelling]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"no scenario {spelling!r}" in captured.err and "01_full_start" in captured.err


def test_run_reports_refusals_like_a_script(capsys):
    """qopc run gives a refusing scenario the status 1 that qopc SCRIPT gives."""
    refusing = next(name for name in list_scenarios() if "refused" in name)
    assert main(["run", refusing]) == 1
    assert "command(s) refused" in capsys.readouterr().err


def test_script_file_still_runs(tmp_path, capsys):
    """qopc SCRIPT (and python -m qopc_kit SCRIPT) still runs a file, even one named list."""
    script = tmp_path / "list"
    script.write_text("acarray add -a ET001 -copy-rate 2\n", encoding="utf-8")
    assert main([str(script)]) == 0
    assert "copy rate 2" in capsys.readouterr().out


def test_lessons_copy_then_unchanged(tmp_path, capsys):
    """qopc lessons copies the nine lessons and the app; a second run copies nothing."""
    target = tmp_path / "alice" / "lessons"
    assert main(["lessons", str(target)]) == 0
    shipped = materials.shipped_files()
    assert len(shipped) == 10 and "app/dashboard.ipynb" in shipped
    for name, source in shipped.items():
        assert (target / name).read_bytes() == source.read_bytes()
    assert "10 file(s) copied" in capsys.readouterr().out
    assert main(["lessons", str(target)]) == 0
    assert "10 file(s) already up to date" in capsys.readouterr().out


def test_lessons_refuse_to_overwrite_edits(tmp_path, capsys):
    """An edited lesson is kept and nothing else is written; --force overwrites it."""
    assert main(["lessons", str(tmp_path)]) == 0
    edited = tmp_path / "03_tracking_diff.ipynb"
    edited.write_text("my answers", encoding="utf-8")
    (tmp_path / "05_cancel.ipynb").unlink()
    capsys.readouterr()
    assert main(["lessons", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "03_tracking_diff.ipynb" in err and "--force" in err
    assert edited.read_text(encoding="utf-8") == "my answers"
    assert not (tmp_path / "05_cancel.ipynb").exists(), "a refusal writes nothing"
    assert main(["lessons", str(tmp_path), "--force"]) == 0
    assert edited.read_bytes() == (materials.lessons_folder() / edited.name).read_bytes()
    assert (tmp_path / "05_cancel.ipynb").exists()


def test_lessons_into_a_file_is_an_error(tmp_path, capsys):
    """A file where the folder should be is reported, status 2."""
    target = tmp_path / "notes.txt"
    target.write_text("x", encoding="utf-8")
    assert main(["lessons", str(target)]) == 2
    assert "it is a file" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "x"


def test_app_without_voila_says_what_to_install(monkeypatch, capsys):
    """qopc app without Voilà names the package to install, status 2, starts nothing."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *rest: None if name == "voila" else real(name, *rest))
    assert main(["app", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "Voilà is not installed" in err and "qopc-kit[lab]" in err
