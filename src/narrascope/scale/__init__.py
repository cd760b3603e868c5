"""Running the per-document stage in parallel: a local process pool (and Ray, later)."""
