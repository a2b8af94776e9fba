"""The kit as it leaves the repository: a wheel that works alone, an sdist whose tests run,
and the Dockerfile that Binder (repo2docker) would build.

Both start from a clean copy of the repository's files (tracked, or new and not ignored),
never from the working folder with its .venv and caches. The wheel goes into a fresh
virtual environment that sees the test environment's packages through a .pth file, so
nothing is downloaded (pip --no-deps --no-index); the kit itself comes from the wheel only.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

import pytest

import qopc_kit
from qopc_kit.scenarios import load

ROOT = Path(__file__).resolve().parent.parent
IN_GIT = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--git-dir"],
                        capture_output=True).returncode == 0
pytestmark = pytest.mark.skipif(not IN_GIT, reason="needs the git checkout (a clean copy of "
                                "its files); an unpacked sdist is tested from the checkout")
# The sdist's own run collects every test (so each module imports there) and runs those
# that read what only a full sdist has; the rest is the checkout's run, not repeated here.
IN_SDIST = "test_packaging or test_notebooks_static or test_scenarios or ipynb"


def repository_files() -> list[str]:
    """The repository's files: tracked, plus new ones git does not ignore."""
    listing = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], capture_output=True, check=True).stdout
    return sorted(name for name in listing.decode().split("\0")
                  if name and (ROOT / name).is_file())


def clean_copy(target: Path) -> Path:
    """Copy the repository's files (modes kept) into ``target``."""
    for name in repository_files():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target


def run(command: list, **options) -> subprocess.CompletedProcess:
    """Run ``command``; on failure the assertion shows its output."""
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          **options)
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """The sdist and the wheel built from a clean copy (the wheel from the sdist)."""
    base = tmp_path_factory.mktemp("dist")
    source = clean_copy(base / "source")
    run([sys.executable, "-m", "build", "--outdir", base / "out", source])
    return next((base / "out").glob("*.tar.gz")), next((base / "out").glob("*.whl"))


def test_wheel_holds_the_package_the_lessons_and_the_app(dist):
    """Every file of qopc_kit/ in the repository, the nine lessons and the app are in the wheel."""
    import zipfile

    names = set(zipfile.ZipFile(dist[1]).namelist())
    package = {name for name in repository_files() if name.startswith("qopc_kit/")}
    assert package and package <= names, sorted(package - names)
    lessons = {f"qopc_kit/{name}" for name in repository_files()
               if re.fullmatch(r"notebooks/\d\d_\w+\.ipynb|app/dashboard\.ipynb", name)}
    assert len(lessons) == 10 and lessons <= names
    metadata = next(name for name in names if name.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(dist[1]).read(metadata).decode()
    assert "Classifier: Topic :: System :: Archiving :: Backup" in text
    assert "License-Expression: MIT" in text
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


def test_sdist_holds_every_repository_file(dist):
    """The sdist has the repository's files (conftest, sanitizer, notebooks, app, benchmarks,
    environment files, binder/), so its tests can run; postBuild stays executable."""
    with tarfile.open(dist[0]) as archive:
        members = {member.name.split("/", 1)[1]: member for member in archive.getmembers()
                   if member.isfile()}
    missing = set(repository_files()) - set(members) - {".gitignore"}
    assert not missing, sorted(missing)
    assert members["binder/postBuild"].mode & 0o111


def fresh_venv(folder: Path, wheel: Path) -> Path:
    """A virtual environment with the wheel installed and the test environment's packages
    visible (read-only) after it; returns its python."""
    run([sys.executable, "-m", "venv", "--without-pip", folder])
    python = folder / "bin" / "python"
    # The wheel first, while the new environment sees nothing else (so pip cannot take the
    # test environment's editable qopc-kit for this one).
    run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
         "--no-index", wheel])
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    # A plain path line: the test environment's own .pth files (its editable install of the
    # checkout) are not run, so `import qopc_kit` can only find the wheel's copy.
    parents = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib.stdout.strip()) / "zz_test_environment.pth").write_text(
        "\n".join(sorted(parents)) + "\n", encoding="utf-8")
    return python


def test_wheel_alone_and_sdist_tests(dist, tmp_path):
    """The wheel in a fresh environment: qopc --version, run 01, lessons, and nbval on the
    copied lessons; meanwhile pytest runs the unpacked sdist's own tests."""
    with tarfile.open(dist[0]) as archive:
        archive.extractall(tmp_path / "sdist", **(
            {"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    sdist = next((tmp_path / "sdist").iterdir())
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "QOPC_REQUIRE_BROWSER")}
    # The sdist's tests run beside the wheel's checks (two processes, two cores).
    sdist_tests = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", IN_SDIST,
         "tests", "--nbval", "app", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg"],
        cwd=sdist, env=environment | {"PYTHONPATH": str(sdist)}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        python = fresh_venv(tmp_path / "venv", dist[1])
        qopc = tmp_path / "venv" / "bin" / "qopc"
        work = tmp_path / "work"
        work.mkdir()
        where = run([python, "-c", "import qopc_kit; print(qopc_kit.__file__)"], cwd=work)
        assert Path(where.stdout.strip()).is_relative_to(tmp_path / "venv")
        assert run([qopc, "--version"], cwd=work).stdout == f"qopc-kit {qopc_kit.__version__}\n"
        assert run([qopc, "run", "01"], cwd=work).stdout == load("01_full_start").golden
        run([qopc, "lessons", work / "lessons"], cwd=work)
        copied = sorted(path.relative_to(work / "lessons").as_posix()
                        for path in (work / "lessons").rglob("*.ipynb"))
        assert copied == sorted(name.removeprefix("notebooks/") for name in repository_files()
                                if re.fullmatch(r"notebooks/\d\d_\w+\.ipynb|app/dashboard"
                                                r"\.ipynb", name))
        # nbval's kernel must be the new environment's python (jupyter_client's native spec).
        data = {"JUPYTER_DATA_DIR": str(tmp_path / "jupyter-data"),
                "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config")}
        spec = run([python, "-c", "from jupyter_client.kernelspec import KernelSpecManager as K;"
                    "import json; print(json.dumps(K().get_kernel_spec('python3').argv))"],
                   cwd=work, env=environment | data)
        assert Path(json.loads(spec.stdout)[0]) == python
        notebooks = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                         "lessons", "--nbval-sanitize-with",
                         sdist / "tests" / "nbval_sanitize.cfg"], cwd=work,
                        env=environment | data)
        assert re.search(r"\b(\d{2,}) passed\b", notebooks.stdout)
        assert "failed" not in notebooks.stdout
    finally:
        output, _ = sdist_tests.communicate(timeout=600)
    assert sdist_tests.returncode == 0, output[-5000:]
    counts = re.search(r"\b(\d+) passed, (\d+) skipped, (\d+) deselected\b", output)
    assert counts, output[-2000:]
    passed, deselected = int(counts.group(1)), int(counts.group(3))
    assert passed >= 150 and deselected >= 300, output[-2000:]  # about a third of the suite ran


def test_qopc_app_serves_the_dashboard(tmp_path):
    """qopc app starts Voilà on the shipped dashboard: the page shows the app's text."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = os.environ | {"JUPYTER_DATA_DIR": str(tmp_path / "data"),
                                "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    server = subprocess.Popen(
        [sys.executable, "-m", "qopc_kit", "app", "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1"], cwd=tmp_path, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)  # its own group: `qopc app` runs Voilà as a child
    try:
        deadline, page = time.monotonic() + 60, ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as answer:
                    page = answer.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert server.poll() is None, server.stderr.read()[-2000:] if server.stderr else ""
        assert "Copy pair" in page, page[:2000]  # the app's first words
        assert "voila" in page.lower()
    finally:
        # The whole group: Voilà (a child of `qopc app`) shuts its kernels down on SIGTERM.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def dockerfile(folder: Path) -> str:
    """What repo2docker would build for ``folder`` (printed, no Docker needed)."""
    done = run([Path(sys.executable).parent / "jupyter-repo2docker", "--no-build", "--debug",
                "--user-id", "1000", "--user-name", "jovyan", folder], cwd=folder)
    return done.stdout


def test_binder_build_uses_binder_folder_and_caches_the_environment(tmp_path):
    """repo2docker reads binder/: the conda environment is built from
    binder/environment.yml before the repository is copied, then postBuild runs."""
    text = dockerfile(clean_copy(tmp_path / "repo"))
    lines = text.splitlines()
    env_file = lines.index("COPY --chown=1000:1000 src/binder/environment.yml "
                           "${REPO_DIR}/binder/environment.yml")
    solve = next(number for number, line in enumerate(lines)
                 if 'env update -p ${NB_PYTHON_PREFIX} --file "binder/environment.yml"' in line)
    repository = lines.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    post_build = lines.index("RUN ./binder/postBuild")
    assert env_file < solve < repository < post_build
    assert '--file "environment.yml"' not in text and "requirements.txt" not in text
    assert "environment.py-3.11" in text.replace("-2e", ".").replace("-2d", "-")


def test_binder_build_without_binder_folder_would_not_cache(tmp_path):
    """The control: with the root environment.yml (its `-e .` line) repo2docker solves the
    environment only after copying the repository, so every commit re-solves it."""
    folder = clean_copy(tmp_path / "repo")
    shutil.rmtree(folder / "binder")
    lines = dockerfile(folder).splitlines()
    repository = lines.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    solve = next(number for number, line in enumerate(lines)
                 if '--file "environment.yml"' in line)
    assert repository < solve
