"""The `kiosk` subcommands that open a window: run and demo (modules as in kiosk.commands)."""
