"""Learning without labels (placeholder, filled below)."""
