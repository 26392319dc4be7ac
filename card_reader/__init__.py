"""card_reader package."""
