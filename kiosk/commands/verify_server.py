"""`kiosk verify-server`: the verification service every slip's QR points at.

    kiosk verify-server [--host 127.0.0.1] [--port 8470]
    kiosk verify-server --grant-role NAME [--password-env VAR]   (as the store's owner)

Reads `[verify]` of kiosk.toml (the store it reads, the rate limit). On PostgreSQL its store
login is a member of sscard_verifier, made once with --grant-role by the store's owner (as
`kiosk db grant-kiosk-role` makes a kiosk's); on SQLite it reads the store file and
data_dir's document keys. In production it runs behind the operator's web front (TLS
there), which forwards the client address (`--forwarded-allow-ips`).

Exit codes: 0 stopped (or role granted), 1 role not granted, 3 configuration.
"""

from __future__ import annotations

import argparse

HELP = "serve the verification pages of printed certificates and receipts"
DEFAULT_PORT = 8470


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on")
    parser.add_argument(
        "--grant-role",
        metavar="NAME",
        help="create (or re-grant) the verifier's PostgreSQL login role NAME, then exit",
    )
    parser.add_argument(
        "--password-env",
        default="",
        help="with --grant-role: set the role's password from this environment variable",
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="web fronts trusted to say the client's address (X-Forwarded-For)",
    )


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from kiosk.commands.common import config_or_exit, setup_logging_for
    from kiosk.verify.app import create_app
    from kiosk.verify.limits import RateLimiter
    from kiosk.verify.store import DocumentChecker

    config = config_or_exit(args)
    if args.grant_role:
        return _grant(config.store_url(), args.grant_role, args.password_env)
    setup_logging_for(config)
    checker = DocumentChecker.from_config(config)
    limiter = RateLimiter(config.verify.requests_per_minute, config.verify.burst)
    app = create_app(checker.check, limiter)
    try:
        # No access log: a slip's address carries its facts (masked ID, figures).
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            access_log=False,
            log_config=None,
            proxy_headers=True,
            forwarded_allow_ips=args.forwarded_allow_ips,
            server_header=False,
        )
    finally:
        checker.close()
    return 0


def _grant(url: str, role: str, password_env: str) -> int:
    import os
    import sys

    from kiosk.store.engine import make_engine
    from kiosk.store.roles import RoleNameError
    from kiosk.store.verifier_role import grant_verifier_role

    password = os.environ.get(password_env, "") if password_env else ""
    if password_env and not password:
        print(f"kiosk verify-server: ${password_env} is empty or unset", file=sys.stderr)
        return 1
    engine = make_engine(url, 30.0)
    try:
        for statement in grant_verifier_role(engine, role, password or None):
            print(statement)
    except (RoleNameError, ValueError) as error:
        print(f"kiosk verify-server: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0
