"""The `kiosk` subcommands, one module each.

Each module defines HELP, `configure(parser)` and `run(args) -> int`. Modules import only
the standard library at top level, so `kiosk --help` stays fast; the heavy imports happen
inside `run`.
"""

COMMANDS: dict[str, str] = {
    "run": "kiosk.commands.run",
    "demo": "kiosk.commands.demo",
    "card": "kiosk.commands.card",
    "db": "kiosk.commands.db",
    "receipt": "kiosk.commands.receipt",
    "printer": "kiosk.commands.printer",
    "doctor": "kiosk.commands.doctor",
    "bench": "kiosk.commands.bench",
    "admin-pin-hash": "kiosk.commands.admin_pin_hash",
    "fleet": "kiosk.commands.fleet",
}
