"""The dashboard's scenario-script box: save the session as a script, load one back.

The script format belongs to :mod:`qopc_kit.script` (the shell's); this box only holds
the text. Save fills a text area and a download link (a ``data:`` URL, so it needs no
server and works in JupyterLite); a file given to the upload control lands in the same
text area, and Load runs it on a new array, as a transcript does: a refused line changes
nothing and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..engine import errors
from ..engine.array import DiskArray
from ..shell.script import Transcript, parse_script, run_script, to_script
from . import text as panel_text


class ScriptBox:
    """A text area with the script, an upload control and a download link.

    ``say(kind, text)`` shows a message in the panel (an upload that is not text).
    """

    def __init__(self, say: Callable[[str, str], None]) -> None:
        self._say = say
        self.text = widgets.Textarea(
            description="Script", placeholder="Save puts the session here; paste one to Load",
            layout=widgets.Layout(width="100%", height="12em"))
        self.upload = widgets.FileUpload(accept=".qopc,.txt", multiple=False,
                                         description="Script file")
        self.upload.observe(self._uploaded, names="value")
        self.download = widgets.HTML()
        self.box = widgets.VBox([widgets.HBox([self.upload, self.download]), self.text])

    def save(self, array: DiskArray) -> str:
        """Put ``array``'s history in the box as a script; return what was done.

        Raises HistoryError (from the script module) when a step kept too little to replay.
        """
        text = to_script(array)
        self.text.value = text
        self.download.value = panel_text.download_link_html(text)
        return (f"saved {len(array.history) - 1} step(s) after the array's creation as a script of "
                f"{len(text.splitlines())} lines")

    def load(self) -> Transcript:
        """Run the box's whole script on a new array; return its transcript.

        The transcript's ``array`` is the new array and its ``refusals`` the (line, reason)
        of each refused command, which changed nothing. Raises the shell's ShellSyntaxError
        (naming the line) before running anything, and ArgumentError when the box holds
        no command: an empty script would swap the lesson's array for a bare one.
        """
        if all(command is None for _, _, command in parse_script(self.text.value)):
            raise errors.ArgumentError("the script box has no command to load: press Save, "
                                       "paste a script or upload a file first")
        return run_script(self.text.value)

    def _uploaded(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        name = files[0]["name"]
        try:
            self.text.value = bytes(files[0]["content"]).decode("utf-8")
        except UnicodeDecodeError:
            self._say("refused", f"{name} is not a UTF-8 text script")
            return
        self._say("info", f"{name} is in the script box: press Load to run it")
