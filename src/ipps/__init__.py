"""ipps: the platform of a multi-level intellectual-property public service network."""

__version__ = "0.1.0"
