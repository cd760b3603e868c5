"""Scoring a store against gold annotations (format: shared/gold/README.md)."""
