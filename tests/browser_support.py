"""Support for the browser tests: find Chromium, run JupyterLab or Voilà in a sandbox, drive pages.

A server runs in a temporary directory with its own Jupyter config, data, runtime and home
directories (nothing is read from or written to the user's), on 127.0.0.1, a free port and
a random token, in its own process group so that stopping it also stops its kernels. The
browser is Debian's ``chromium`` driven by Playwright through ``executable_path``: Playwright
never downloads a browser here, and every request to a host other than 127.0.0.1 is aborted
so that a test never waits on the network.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"

#: Debian's package installs /usr/bin/chromium; other distributions name it differently.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: What CI needs from Chromium: a root user (no sandbox), no GPU, and no call home.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

#: Every wait in the browser tests ends after this long (milliseconds): a hang fails fast.
WAIT_MS = 30_000
#: Running the whole tour notebook (kernel start plus every cell) may take longer.
RUN_ALL_MS = 120_000
SERVER_START_S = 60

REQUIRE_BROWSER = os.environ.get("QOPC_REQUIRE_BROWSER", "") not in ("", "0")


def missing_browser_tools() -> str | None:
    """Why the browser tests cannot run here (None when they can).

    Looks for Playwright, JupyterLab, Voilà and a Chromium executable (``QOPC_CHROMIUM``
    overrides the search).
    """
    for module, package in (("playwright", "playwright"), ("jupyterlab", "jupyterlab"),
                            ("voila", "voila"), ("ipywidgets", "ipywidgets")):
        if importlib.util.find_spec(module) is None:
            return f"the Python package {package} is not installed (pip install -e '.[notebook,browser]')"
    if chromium_path() is None:
        return ("no Chromium executable found (tried $QOPC_CHROMIUM, "
                + ", ".join(CHROMIUM_NAMES) + "): on Debian, apt-get install chromium")
    return None


def chromium_path() -> str | None:
    """The Chromium executable: ``$QOPC_CHROMIUM``, else the first of CHROMIUM_NAMES on PATH."""
    chosen = os.environ.get("QOPC_CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def skip_or_fail(reason: str) -> None:
    """Skip with ``reason``, or fail when QOPC_REQUIRE_BROWSER=1 (CI must never skip these)."""
    if REQUIRE_BROWSER:
        pytest.fail(f"QOPC_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}",
                    pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Servers --------------------------------------------------------------------------------------
@dataclass
class Server:
    """A running JupyterLab or Voilà server: where it listens and where it logs."""

    kind: str
    process: subprocess.Popen
    port: int
    token: str
    home: Path
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/", **query: str) -> str:
        """``path`` on this server, with the token (and ``query``) in the query string."""
        params = "&".join(f"{k}={v}" for k, v in {"token": self.token, **query}.items())
        return f"{self.base}{path}?{params}"

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's log, to explain a failure."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError as error:
            return f"(no server log: {error})"


def sandbox_env(home: Path) -> dict[str, str]:
    """The environment of a server: every Jupyter, IPython, Matplotlib and XDG directory under
    ``home``; the checkout first on PYTHONPATH so the kernel imports this qopc_kit."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "IPYTHON", "XDG_", "MPLCONFIGDIR"))}
    dirs = {"HOME": "home", "JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
            "JUPYTER_RUNTIME_DIR": "runtime", "JUPYTERLAB_SETTINGS_DIR": "config/lab/user-settings",
            "JUPYTERLAB_WORKSPACES_DIR": "workspaces", "IPYTHONDIR": "ipython",
            "MPLCONFIGDIR": "matplotlib", "XDG_CONFIG_HOME": "xdg/config",
            "XDG_DATA_HOME": "xdg/data", "XDG_CACHE_HOME": "xdg/cache"}
    for variable, sub in dirs.items():
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        env[variable] = str(path)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env["JUPYTER_PLATFORM_DIRS"] = "1"  # no deprecation banner in the log
    return env


def write_lab_settings(env: dict[str, str], settings: dict[str, dict]) -> None:
    """Pre-write JupyterLab user settings: {"@jupyterlab/plugin-package:plugin": {...}}."""
    root = Path(env["JUPYTERLAB_SETTINGS_DIR"])
    for plugin, values in settings.items():
        package, name = plugin.split(":")
        path = root / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


#: JupyterLab settings for a quiet, deterministic page: no news or update toasts, and every
#: cell kept in the DOM (the default windowing may detach cells scrolled out of view).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


def lab_command(port: int, token: str, root: Path) -> list[str]:
    """The JupyterLab command line: local only, no browser, nothing fetched from the net."""
    return [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--ServerApp.allow_root=True",  # CI containers run as root
            "--ServerApp.terminals_enabled=False", "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly"]


def voila_command(port: int, token: str, notebook: str) -> list[str]:
    """The Voilà command line of ``make app``, bound to 127.0.0.1 with a token."""
    return [sys.executable, "-m", "voila", notebook, "--no-browser", "--Voila.ip=127.0.0.1",
            f"--Voila.port={port}", "--Voila.port_retries=0", f"--Voila.token={token}",
            "--VoilaConfiguration.show_tracebacks=True"]


@contextmanager
def running_server(kind: str, notebook: Path, tmp: Path) -> Iterator[Server]:
    """Copy ``notebook`` into ``tmp`` and serve it with JupyterLab (kind "lab") or Voilà
    ("voila"); always stop the server and its kernels on exit, even after a failure.

    Raises RuntimeError (with the server's log) when it does not answer in time.
    """
    work = tmp / "work"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, work / notebook.name)
    config = notebook.parent / "voila.json"  # Voilà reads it from the folder it runs in
    if kind == "voila" and config.is_file():
        shutil.copy(config, work / config.name)
    env = sandbox_env(tmp / "sandbox")
    token = secrets.token_hex(16)
    port = free_port()
    if kind in ("lab", "notebook"):
        write_lab_settings(env, LAB_SETTINGS)
        command = lab_command(port, token, work)
        if kind == "notebook":  # Jupyter Notebook 7: the same server, its own front end
            command[2] = "notebook"
            command = [part for part in command
                       if not part.startswith("--LabApp.")]
    else:
        command = voila_command(port, token, notebook.name)
    log_path = tmp / f"{kind}-server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=work, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)  # its own group: kernels included
    server = Server(kind, process, port, token, tmp / "sandbox", log_path)
    try:
        wait_until_serving(server)
        yield server
    finally:
        stop(process)


def wait_until_serving(server: Server) -> None:
    """Return once ``server`` answers HTTP; raise RuntimeError if it exits or times out."""
    # Voilà runs the notebook on GET /, so ask it for a static file instead.
    probe = (server.url("/api/status") if server.kind in ("lab", "notebook")
             else f"{server.base}/voila/static/")
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.kind} exited with code {server.process.returncode}:\n"
                               + server.log_tail())
        try:
            with urllib.request.urlopen(probe, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers: a 403/404 on the probe still means it serves
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"{server.kind} did not answer within {SERVER_START_S} s:\n"
                       + server.log_tail())


def stop(process: subprocess.Popen) -> None:
    """Stop ``process``, its process group and its kernels: SIGTERM, then SIGKILL.

    jupyter_client starts each kernel in a session of its own, so the kernels are found
    as the server's descendants before it stops, and killed if they outlive it.
    """
    children = descendants(process.pid)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # the server shuts its kernels down itself
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    for pid in children:
        with suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


def descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (children, grandchildren...), read from /proc (Linux)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            # The field after the parenthesised command name is the state, then the ppid.
            ppid = int(entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


# The browser ----------------------------------------------------------------------------------
@contextmanager
def chromium_context(playwright, profile: Path, executable: str) -> Iterator:
    """A fresh Chromium profile in ``profile``, offline except for 127.0.0.1."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=executable, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
    try:
        context.set_default_timeout(WAIT_MS)
        context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]|data:|blob:)"),
                      lambda route: route.abort())
        yield context
    finally:
        context.close()


def open_lab_notebook(page, server: Server, notebook: Path) -> None:
    """Open ``notebook`` (served under its own name) in JupyterLab; wait until every cell is
    drawn and the kernel is connected and idle."""
    cells = len(json.loads(notebook.read_text(encoding="utf-8"))["cells"])
    page.goto(server.url(f"/lab/tree/{notebook.name}", reset=""), timeout=RUN_ALL_MS)
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=RUN_ALL_MS)
    page.wait_for_function(f"() => document.querySelectorAll('.jp-Notebook .jp-Cell').length"
                           f" === {cells}", timeout=RUN_ALL_MS)
    # The status bar says "Python 3 (ipykernel) | Idle" once the kernel answered; the
    # toolbar's indicator reads idle earlier, before the kernel is connected.
    page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\| Idle")).first.wait_for(
        timeout=RUN_ALL_MS)
    page.wait_for_timeout(500)


def open_notebook7(page, server: Server, notebook: Path) -> None:
    """Open ``notebook`` in Jupyter Notebook 7; wait until every cell is drawn and the kernel
    answered (its status reads Idle)."""
    cells = len(json.loads(notebook.read_text(encoding="utf-8"))["cells"])
    page.goto(server.url(f"/notebooks/{notebook.name}"), timeout=RUN_ALL_MS)
    page.wait_for_function(f"() => document.querySelectorAll('.jp-Notebook .jp-Cell').length"
                           f" === {cells}", timeout=RUN_ALL_MS)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        state="attached", timeout=RUN_ALL_MS)
    page.wait_for_timeout(500)


def menu(page, *path: str) -> None:
    """Click through JupyterLab's menu bar, e.g. menu(page, "Run", "Run All Cells")."""
    page.get_by_role("menuitem", name=path[0], exact=True).click()
    for item in path[1:]:
        # By label: submenus and check items have other ARIA roles than plain items.
        label = re.compile(rf"^\s*{re.escape(item)}\s*$")
        page.locator(".lm-Menu .lm-Menu-itemLabel", has_text=label).last.click()


def run_all_cells(page) -> None:
    """Clear every output, run every cell from the menus, and wait for the last one to end.

    Raises AssertionError naming the cells that failed.
    """
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]"
        ".every(p => !/\\d/.test(p.textContent))", timeout=WAIT_MS)
    page.wait_for_timeout(300)
    menu(page, "Run", "Run All Cells")
    # Each code cell's prompt reads [n]: once it ran, [*]: while it runs or waits.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]"
        ".every(p => /\\[\\d+\\]/.test(p.textContent))", timeout=RUN_ALL_MS)
    # Warnings on stderr are not failures; an exception renders with the error MIME type.
    errors = page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']")
    tracebacks = errors.all_inner_texts()
    assert not tracebacks, "cells failed in JupyterLab:\n" + "\n\n".join(tracebacks)


def set_lab_theme(page, theme: str) -> None:
    """Switch JupyterLab to ``theme`` ("JupyterLab Light" or "JupyterLab Dark") from the
    Settings menu, and wait until the page uses it."""
    menu(page, "Settings", "Theme", theme)
    page.wait_for_selector(f"body[data-jp-theme-name='{theme}']", state="attached",
                           timeout=WAIT_MS)
    page.wait_for_timeout(500)  # the theme's CSS variables apply on the next frames


def offline_chromium(tmp_path_factory) -> Iterator:
    """For a module's fixture: a headless Chromium context with a fresh profile, offline but
    for 127.0.0.1 (skips, or fails under QOPC_REQUIRE_BROWSER, when there is none)."""
    reason = missing_browser_tools()
    if reason:
        skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright, chromium_context(playwright, profile,
                                                           chromium_path()) as context:
        yield context
