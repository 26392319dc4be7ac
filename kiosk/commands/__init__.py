"""The `kiosk` subcommands of the core, one module each (the UI adds run, demo and bench).

Each module defines HELP, `configure(parser)` and `run(args) -> int`. Modules import only
the standard library at top level, so `kiosk --help` stays fast; the heavy imports happen
inside `run`.
"""

from kiosk.commands import (
    admin_pin_hash,
    card,
    certificate,
    counter,
    db,
    doctor,
    fleet,
    printer,
    receipt,
    verify_server,
)

COMMANDS = {
    "card": card,
    "db": db,
    "receipt": receipt,
    "printer": printer,
    "doctor": doctor,
    "admin-pin-hash": admin_pin_hash,
    "fleet": fleet,
    "certificate": certificate,
    "verify-server": verify_server,
    "counter": counter,
}
