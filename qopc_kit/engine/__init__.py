"""The engine: volumes as block arrays, sessions with their bitmaps, and the state table.

numpy and the standard library only. Two lazy hooks reach upward, and only when called:
``_repr_html_`` (to :mod:`qopc_kit.views.display`) and ``DiskArray.acopc`` (to
:mod:`qopc_kit.shell`).
"""

__version__ = "0.1.0"
