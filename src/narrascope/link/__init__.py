"""Cross-document passes over the store: actors, near-duplicates (more in later stages)."""
