"""Content made anew for each state, swapped into its place in a layout without a leak."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QWidget


def swap_into(layout: QBoxLayout, old: QWidget | None, new: QWidget) -> QWidget:
    """Put `new` in `layout` in place of `old` (hidden, and deleted at the next turn of the
    event loop, with the layout and items inside it) and return `new`.

    Emptying a layout with takeAt() instead hands each QLayoutItem to the caller, and
    PySide never frees it: ~100 bytes a widget on every render, 3 KB a session in the soak.
    removeWidget() deletes the widget's item itself.
    """
    if old is not None:
        layout.removeWidget(old)
        old.hide()  # its words must not stay on screen until the deferred delete
        old.deleteLater()
    layout.addWidget(new)
    return new
