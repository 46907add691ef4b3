"""Widgets and data loaders for the course *Multidimensional and Integrated Peace Operations*."""
from .data import DataError

__all__ = ["Activity", "Certificate", "DataError", "Discussion", "Evaluation", "Exam", "KnowledgeCheck", "Progress", "Quiz", "SoloSimulation", "SpectrumExplorer"]
__version__ = "0.1.0"
_WIDGETS = {"Activity", "Certificate", "Discussion", "Evaluation", "Exam", "KnowledgeCheck", "Progress", "Quiz", "SoloSimulation", "SpectrumExplorer"}


def __getattr__(name):
    """The widgets (with anywidget and ipywidgets) load on first use, so that what needs only the
    data loaders, such as the book's Sphinx extension, starts without them."""
    if name in _WIDGETS:
        from . import widgets
        return getattr(widgets, name)
    raise AttributeError(f"module 'peaceops' has no attribute {name!r}")
