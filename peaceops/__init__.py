"""Widgets and data loaders for the course *Multidimensional and Integrated Peace Operations*."""
from .data import DataError
from .widgets import Activity, Exam, Progress, Quiz, SpectrumExplorer

__all__ = ["Activity", "DataError", "Exam", "Progress", "Quiz", "SpectrumExplorer"]
__version__ = "0.1.0"
