"""Widgets and data loaders for the course *Multidimensional and Integrated Peace Operations*."""
from .data import DataError
from .widgets import Activity, Quiz, SpectrumExplorer

__all__ = ["Activity", "DataError", "Quiz", "SpectrumExplorer"]
__version__ = "0.1.0"
