"""What every subcommand needs: the configuration, loaded once, with problems printed plainly."""

from __future__ import annotations

import argparse
import sys

from kiosk.config import ConfigError, KioskConfig, load_config

EXIT_CONFIG = 3


def config_or_exit(args: argparse.Namespace) -> KioskConfig:
    """The configuration named by --config / $KIOSK_CONFIG, or exit 3 listing every problem."""
    try:
        return load_config(getattr(args, "config", None))
    except ConfigError as error:
        print(f"kiosk: the configuration has problems:\n{error}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None


def setup_logging_for(config: KioskConfig, console: bool = True) -> None:
    from kiosk.log import setup_logging

    try:
        setup_logging(
            config.logging.level,
            config.logging.file,
            config.logging.max_bytes,
            config.logging.backup_count,
            console=console,
        )
    except OSError as error:  # a log folder that cannot be made is a configuration problem
        print(
            "kiosk: the configuration has problems:\n"
            f"  logging.file = {config.logging.file}: cannot be written "
            f"({error.strerror or error}); expected a file in a writable folder",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_CONFIG) from None
