"""lunchlearn: a git-backed rota for a Friday lunch-and-learn programme."""

__version__ = "0.1.0"
