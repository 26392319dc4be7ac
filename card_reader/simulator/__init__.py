"""A faithful SSSE card simulator and the demo card profiles."""

from card_reader.simulator.card import CardPulled, Faults, SimulatedCard, Transport
from card_reader.simulator.profiles import CardProfile, build_card, load_profiles, profile

__all__ = [
    "CardProfile",
    "CardPulled",
    "Faults",
    "SimulatedCard",
    "Transport",
    "build_card",
    "load_profiles",
    "profile",
]
