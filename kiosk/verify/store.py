"""How the verification service reads the store: only `verify_api.check_document`.

On PostgreSQL it logs in as a member of `sscard_verifier` (kiosk.store.verifier_role),
which may execute that one function and read no table; on SQLite it opens the store file
and the installation's document keys (read-only use: it never makes a key).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from kiosk.document_keys import DocumentKeys
from kiosk.store.errors import StoreUnavailable
from kiosk.store.printed_documents import Verdict, check
from printing.document_claims import DocumentClaim, facts_text

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from kiosk.config import KioskConfig


class DocumentChecker:
    """Checks claims against the store, each in one short read with a deadline."""

    def __init__(self, engine: Engine, keys: DocumentKeys | None, timeout_seconds: float) -> None:
        self.engine = engine
        self.keys = keys
        self.timeout_seconds = timeout_seconds

    @classmethod
    def from_config(cls, config: KioskConfig) -> DocumentChecker:
        from kiosk.store.engine import make_engine

        url = verifier_url(config)
        engine = make_engine(url, config.store.timeout_seconds)
        keys = None if url.startswith("postgresql") else _ReadOnlyKeys.under(config.data_dir)
        return cls(engine, keys, config.store.timeout_seconds)

    def check(self, claim: DocumentClaim) -> Verdict:
        """The store's verdict on `claim`; StoreUnavailable when it cannot be asked."""
        from sqlalchemy.exc import SQLAlchemyError

        from kiosk.store.engine import deadline

        try:
            with deadline(self.timeout_seconds), self.engine.connect() as connection:
                verdict = check(
                    connection, self.keys, claim.code, claim.key_id, facts_text(claim.facts)
                )
        except SQLAlchemyError as error:
            raise StoreUnavailable(f"verification store: {type(error).__name__}") from None
        if verdict.genuine and verdict.kind != claim.kind:
            return Verdict(found=True)  # a receipt's code under a certificate's address
        return verdict

    def close(self) -> None:
        self.engine.dispose()


class _ReadOnlyKeys(DocumentKeys):
    """The verifier never makes a key: with none, nothing is genuine."""

    def current(self) -> tuple[int, bytes]:
        raise StoreUnavailable("the verification service signs nothing")

    def rotate(self) -> int:
        raise StoreUnavailable("the verification service signs nothing")


def verifier_url(config: KioskConfig) -> str:
    """`[verify] store_url` (its password from `[verify] password_env`), else the store's."""
    url = config.verify.store_url.replace("{data_dir}", str(config.data_dir))
    if not url:
        return config.store_url()
    password = os.environ.get(config.verify.password_env, "") if config.verify.password_env else ""
    if password and url.startswith("postgresql") and "@" in url:
        from urllib.parse import quote

        scheme, rest = url.split("://", 1)
        user, host = rest.split("@", 1)
        if ":" not in user:
            url = f"{scheme}://{user}:{quote(password, safe='')}@{host}"
    return url
