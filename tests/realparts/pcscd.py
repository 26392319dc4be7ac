"""Real-part fixture: pcscd (filled in by its issue)."""
