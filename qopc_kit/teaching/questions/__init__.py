"""The checked questions of lessons 1-8: each builds an :class:`~qopc_kit.teaching.model.Exercise`
from the lesson's own array, so the answer is the engine's and never typed into a notebook."""
