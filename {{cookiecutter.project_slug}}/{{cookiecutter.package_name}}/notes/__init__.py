"""The notes pages: the example resource, each note seen by its owner only."""

from .views import bp

__all__ = ["bp"]
