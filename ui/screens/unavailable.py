"""The store or the reader is down: the kiosk says so instead of pretending."""

from __future__ import annotations

from ui.screens.card_problem import CardProblemScreen


class UnavailableScreen(CardProblemScreen):
    title_key = "unavailable.title"
