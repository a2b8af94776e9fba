"""Scenario scripts (:mod:`qopc_kit.shell.script`), under the name the README documents."""

from .shell.script import Console, ScriptError, Transcript, parse_script, run_script, to_script

__all__ = ["Console", "ScriptError", "Transcript", "parse_script", "run_script", "to_script"]
