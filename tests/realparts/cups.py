"""Real-part fixture: cups (filled in by its issue)."""
