"""Reader backends: `pcsc` (pyscard over pcscd) and `virtual` (the in-process simulator)."""

from card_reader.backends.base import CardConnection, ReaderBackend

__all__ = ["CardConnection", "ReaderBackend"]
