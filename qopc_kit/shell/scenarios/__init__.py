"""The scenario library: commented ``*.qopc`` scripts, each with its golden transcript.

Every script starts with a comment block: a title line, an explanation, and the facts
it shows, each tagged ``[D]`` (documented by Fujitsu) or ``[M]`` (a modelling choice of
the kit). ``python -m qopc_kit.scenarios --regenerate`` rewrites the ``*.txt`` goldens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ...engine.errors import NotFoundError
from ..script import Transcript, run_script

HERE = Path(__file__).parent
_FACT = re.compile(r"#\s*\[([DM])\]\s*(.*)")


@dataclass(frozen=True)
class Fact:
    """One fact a scenario shows: ``tag`` "D" (documented) or "M" (modelling choice)."""

    tag: str
    text: str

    @property
    def documented(self) -> bool:
        """True for a fact documented by Fujitsu, False for a modelling choice."""
        return self.tag == "D"

    def __str__(self) -> str:
        return f"[{self.tag}] {self.text}"


@dataclass(frozen=True)
class Scenario:
    """A scenario script: its ``text``, ``title``, ``explanation``, ``facts`` and ``golden``."""

    name: str
    title: str
    explanation: str
    facts: tuple[Fact, ...]
    text: str
    golden: str

    def run(self) -> Transcript:
        """Replay the script on a new array."""
        return run_script(self.text)


def list_scenarios() -> list[str]:
    """The names of every scenario, in order (``01_full_start``, ...)."""
    return sorted(path.stem for path in HERE.glob("*.qopc"))


def load(name: str) -> Scenario:
    """The scenario called ``name`` (with or without ``.qopc``).

    Raises NotFoundError naming the scenarios there are.
    """
    name = name.removesuffix(".qopc")
    path = HERE / f"{name}.qopc"
    if name not in list_scenarios():
        raise NotFoundError(f"no scenario {name!r} (scenarios: {', '.join(list_scenarios())})")
    text = path.read_text(encoding="utf-8")
    golden_path = path.with_suffix(".txt")
    golden = golden_path.read_text(encoding="utf-8") if golden_path.exists() else ""
    title, explanation, facts = _header(text)
    return Scenario(name, title, explanation, facts, text, golden)


def _header(text: str) -> tuple[str, str, tuple[Fact, ...]]:
    """Title, explanation and facts from the script's leading comment block."""
    block = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        block.append(line)
    title = block[0].lstrip("#").strip() if block else ""
    facts, words = [], []
    for line in block[1:]:
        match = _FACT.fullmatch(line.strip())
        if match:
            facts.append(Fact(match.group(1), match.group(2)))
        else:
            words.append(line.lstrip("#").strip())
    explanation = re.sub(r"(?<=\S)\n(?=\S)", " ", "\n".join(words).strip())
    return title, explanation, tuple(facts)


def regenerate() -> list[str]:
    """Rewrite every golden transcript from the code; return the names whose text changed."""
    changed = []
    for name in list_scenarios():
        path = HERE / f"{name}.txt"
        text = run_script((HERE / f"{name}.qopc").read_text(encoding="utf-8")).text
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    return changed
