"""Partnership pipeline: commune web pages in, a normalised partnership dataset out."""

__version__ = "0.1.0"
