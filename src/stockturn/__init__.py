"""stockturn: inventory that turns faster with fewer stockouts."""

__version__ = "0.1.0"

__all__ = ["__version__"]
