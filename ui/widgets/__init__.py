"""Reusable widgets: buttons, labels, the PIN pad, the month chart, the idle warning."""
