"""The lessons and the Voilà app that travel with the kit: where they are, copying them.

A wheel holds them as package data (``qopc_kit/notebooks``, ``qopc_kit/app``, mapped from
the repository's ``notebooks/`` and ``app/`` by ``pyproject.toml``); a checkout or an
editable install reads the repository's folders themselves. There is one copy of each.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..engine.errors import QuickOPCError

_PACKAGE = Path(__file__).resolve().parent.parent  # qopc_kit/
_CHECKOUT = _PACKAGE.parent


class MaterialsError(QuickOPCError):
    """The lessons could not be found or copied; nothing was written."""


def lessons_folder() -> Path:
    """The folder of the shipped lessons (``01_tour.ipynb`` ...), installed or in a checkout.

    Raises MaterialsError when neither holds them.
    """
    return _folder("notebooks", "[0-9][0-9]_*.ipynb")


def app_notebook() -> Path:
    """The dashboard notebook that ``qopc app`` serves with Voilà.

    Raises MaterialsError when it is not installed.
    """
    return _folder("app", "dashboard.ipynb") / "dashboard.ipynb"


def _folder(name: str, pattern: str) -> Path:
    for folder in (_PACKAGE / name, _CHECKOUT / name):
        if any(folder.glob(pattern)):
            return folder
    raise MaterialsError(f"no {pattern} in {_PACKAGE / name} or {_CHECKOUT / name}: "
                         "the kit's lessons are not installed (reinstall qopc-kit)")


def shipped_files() -> dict[str, Path]:
    """Every file ``qopc lessons`` copies: a relative name (``app/`` for the app) -> source."""
    files = {path.name: path for path in sorted(lessons_folder().glob("[0-9][0-9]_*.ipynb"))}
    files["app/dashboard.ipynb"] = app_notebook()
    return files


@dataclass(frozen=True)
class CopyReport:
    """What ``copy_lessons`` did: the files it ``written``, ``unchanged`` ones, and the
    ``refused`` ones (a copy that differs from the shipped lesson, kept as it was)."""

    folder: Path
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    refused: tuple[str, ...]

    def __str__(self) -> str:
        lines = []
        if self.written:
            lines.append(f"{len(self.written)} file(s) copied to {self.folder}: "
                         + ", ".join(self.written))
        if self.unchanged:
            lines.append(f"{len(self.unchanged)} file(s) already up to date: "
                         + ", ".join(self.unchanged))
        if self.refused:
            lines.append(f"nothing copied: {len(self.refused)} file(s) in {self.folder} differ "
                         "from the shipped lessons (a student's edits?): "
                         + ", ".join(self.refused)
                         + "; run again with --force to overwrite them")
        return "\n".join(lines)


def copy_lessons(folder: str | Path, *, force: bool = False) -> CopyReport:
    """Copy the lessons and the app into ``folder`` (made if missing).

    A file already there and identical to the shipped one is left alone. One that differs
    (an edited or executed copy) is overwritten only with ``force``; otherwise nothing at
    all is written and the report lists the files refused.
    Raises MaterialsError when ``folder`` is a file or cannot be written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise MaterialsError(f"cannot copy the lessons into {folder}: it is a file, not a folder")
    plan, unchanged, refused = [], [], []
    for name, source in shipped_files().items():
        target = folder / name
        if target.is_dir():
            raise MaterialsError(f"cannot copy {name}: {target} is a folder")
        if not target.exists():
            plan.append((name, source, target))
        elif target.read_bytes() == source.read_bytes():
            unchanged.append(name)
        elif force:
            plan.append((name, source, target))
        else:
            refused.append(name)
    if refused:
        return CopyReport(folder, (), tuple(unchanged), tuple(refused))
    try:
        for _, source, target in plan:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    except OSError as problem:
        raise MaterialsError(f"cannot copy the lessons into {folder}: "
                             f"{problem.strerror} ({problem.filename})") from problem
    return CopyReport(folder, tuple(name for name, _, _ in plan), tuple(unchanged), ())
