"""DuckDB storage with named migrations and full-text search."""

from narrascope.store.db import DB_NAME, Store, db_path

__all__ = ["DB_NAME", "Store", "db_path"]
