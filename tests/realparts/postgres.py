"""Real-part fixture: postgres (filled in by its issue)."""
