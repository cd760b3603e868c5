"""narrascope: reads every side of a contested news story."""

__version__ = "0.1.0"
