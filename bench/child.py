"""`python -m bench.child SECTION --out FILE`: one bench section in a process of its own.

The parent (bench/runner.py) starts one of these per section, so no section sees another's
pcscd socket (libpcsclite reads it once per process), Qt application or store. The
section's JSON goes to FILE (standard output is not the parent's: libraries may print);
progress lines go to standard error, which the parent forwards. The child ends when its
parent does (SIGTERM, so a running cluster is still stopped by the section's `finally`).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import sys
import traceback
from pathlib import Path
from types import FrameType
from typing import Any

PR_SET_PDEATHSIG = 1


def _end_with_parent() -> None:
    """SIGTERM when the parent dies: a killed `kiosk bench` takes its sections with it."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the parent's timeout still applies
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        raise SystemExit(143)


def _terminated(signum: int, _frame: FrameType | None) -> None:
    # As an exception in the main thread, so every `finally` (a cluster's stop) runs.
    raise SystemExit(128 + signum)


def _write(path: Path, result: dict[str, Any]) -> None:
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    part.replace(path)  # the parent never reads half a result


def main(argv: list[str] | None = None) -> int:
    from bench import SECTIONS

    parser = argparse.ArgumentParser(prog="python -m bench.child")
    parser.add_argument("section", choices=sorted(SECTIONS))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--soak", type=int, default=None)
    parser.add_argument("--config", default=None)
    args = parser.parse_args(argv)
    _end_with_parent()
    signal.signal(signal.SIGTERM, _terminated)

    from kiosk.config import load_config

    try:
        config = load_config(args.config)
        options = {"soak_sessions": args.soak} if args.section == "soak" and args.soak else {}
        figures = SECTIONS[args.section]()(config, quick=args.quick, **options)
    except Exception as error:  # the parent reports it; the other sections still run
        trace = traceback.format_exc()
        sys.stderr.write(trace)
        _write(args.out, {"error": f"{type(error).__name__}: {error}", "traceback": trace})
        return 1
    _write(args.out, {"result": figures})
    return 0


if __name__ == "__main__":
    sys.exit(main())
