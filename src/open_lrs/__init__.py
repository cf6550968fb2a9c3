"""Open LRS: an open-source Learning Records Service."""

__version__ = "0.1.0"
