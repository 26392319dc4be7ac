"""A kiosk behind the fleet's one shared PgBouncer pool: each kiosk_api call names and proves
its kiosk (migration 0008).

With `?kiosk_pool=shared` on the store URL, PgBouncer logs every kiosk in to PostgreSQL as
one pool role, so session_user no longer says which kiosk is calling. Every
`kiosk_api.<f>(...)` the kiosk sends becomes `kiosk_pool.<f>(role, key, ...)`: the wrapper
checks the key against the digest the server holds and runs the function as that kiosk.

The key is HMAC-SHA-256 of the role name under the kiosk's own password: nothing new to
store on the kiosk, and what the server keeps (its SHA-256) opens nothing. A kiosk's
password still logs it in to PgBouncer (auth_query, SCRAM), so a stolen key alone is not
a way in, nor a stolen login a way to be another kiosk.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine.interfaces import DBAPICursor, ExecutionContext
from sqlalchemy.pool import Pool

URL_OPTION = "kiosk_pool"  # ?kiosk_pool=shared on a postgresql URL
SHARED = "shared"
_CALL = re.compile(r"\bkiosk_api\.(\w+)\(")
_KEY_DOMAIN = b"sscard kiosk_pool key:"


@dataclass(frozen=True)
class PoolIdentity:
    role: str
    key: str

    def __repr__(self) -> str:  # never the key, in a log or a traceback
        return f"PoolIdentity(role={self.role!r})"


def pool_key(role: str, password: str) -> str:
    """The kiosk's per-call key: 64 hex digits only its password gives."""
    return hmac.new(password.encode("utf-8"), _KEY_DOMAIN + role.encode("utf-8"),
                    hashlib.sha256).hexdigest()  # fmt: skip


def key_digest(key: str) -> bytes:
    """What the server keeps of a key (kiosk_api.kiosk_key.digest)."""
    return hashlib.sha256(key.encode("utf-8")).digest()


_IDENTITIES: weakref.WeakKeyDictionary[Pool, PoolIdentity] = weakref.WeakKeyDictionary()


def identity_of(connection: Connection) -> PoolIdentity | None:
    """The pooled kiosk this connection's engine speaks for, or None (a direct login)."""
    return _IDENTITIES.get(connection.engine.pool)


def install(engine: Engine, identity: PoolIdentity) -> None:
    """Rewrite every kiosk_api call this engine sends into its kiosk_pool wrapper."""
    _IDENTITIES[engine.pool] = identity

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _pooled(  # noqa: PLR0917 - SQLAlchemy calls it with these six, positionally
        connection: Connection,
        cursor: DBAPICursor,
        statement: str,
        parameters: Any,
        context: ExecutionContext | None,
        executemany: bool,
    ) -> tuple[str, Any]:
        del connection, cursor, context
        if executemany and parameters and _CALL.search(statement):  # each row gains the proof
            calls = [pooled_call(statement, values, identity) for values in parameters]
            return calls[0][0], [values for _, values in calls]
        if executemany:
            return statement, parameters
        return pooled_call(statement, parameters, identity)


def pooled_call(statement: str, parameters: Any, identity: PoolIdentity) -> tuple[str, Any]:
    """`statement` with its one kiosk_api call made through kiosk_pool, and its parameters
    (a mapping for named placeholders, a sequence for positional ones, which the call's
    must lead). A statement without a kiosk_api call is returned as it is."""
    calls = list(_CALL.finditer(statement))
    if not calls:
        return statement, parameters
    if len(calls) > 1:
        raise ValueError("one kiosk_api call a statement can be pooled")
    call = calls[0]
    named = isinstance(parameters, Mapping)
    if named:
        proof = "%(kiosk_pool_role)s, %(kiosk_pool_key)s"
        values: Any = {**parameters, "kiosk_pool_role": identity.role,
                       "kiosk_pool_key": identity.key}  # fmt: skip
    else:
        if "%s" in statement[: call.start()]:
            raise ValueError("the kiosk_api call's placeholders must come first")
        proof = "%s, %s"
        values = (identity.role, identity.key, *(parameters or ()))
    rest = statement[call.end() :]
    joiner = "" if rest.lstrip().startswith(")") else ", "
    rewritten = f"{statement[: call.start()]}kiosk_pool.{call.group(1)}({proof}{joiner}{rest}"
    return rewritten, values


def positional(statement: str, values: Sequence[Any], connection: Connection) -> tuple[str, Any]:
    """pooled_call for a statement sent on the driver directly (fleet_api._driver_call)."""
    identity = identity_of(connection)
    if identity is None:
        return statement, values
    return pooled_call(statement, tuple(values), identity)
