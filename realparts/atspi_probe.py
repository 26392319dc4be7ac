"""Read the kiosk as a screen reader does: through the AT-SPI bus, with libatspi.

Run by Debian's /usr/bin/python3 (which has gi and the Atspi typelib: python3-gi,
gir1.2-atspi-2.0), never imported by the kiosk's venv, which has neither; realparts.atspi
starts it and talks to it. One JSON object a line on stdin, one JSON reply a line on stdout:

- {"op": "find", "pid": P}: {"name": N} when an application of process P is on the bus,
  else {"name": null};
- {"op": "snapshot", "pid": P, "words": W}: {"nodes": [...]}, every showing object of the
  application: role and states, a button's name and extents (screen coordinates); with W
  true, every object's name, description, text, extents and action names too;
- {"op": "press", "pid": P, "name": N}: do the "Press" action of the one showing button
  named N, as a screen reader's "activate" does; {"pressed": N};
- a failure: {"error": "..."}.

Only the standard library and gi: the probe knows nothing of the kiosk.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import gi  # type: ignore[import-not-found]

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # type: ignore[import-not-found]  # noqa: E402

BUTTON_ROLES = {"push-button", "toggle-button", "check-box", "radio-button"}
# Each object is read afresh: libatspi caches what it read and updates it only from events,
# which this probe (with no GLib main loop) never receives, so a cache would go stale.
NO_CACHE = Atspi.Cache.NONE


def application(pid: int) -> Any:
    desktop = Atspi.get_desktop(0)
    for index in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(index)
        if app is None:
            continue
        try:
            if app.get_process_id() == pid:
                app.set_cache_mask(NO_CACHE)
                return app
        except GLib.Error:  # an application leaving the bus as we ask
            continue
    return None


def _states(node: Any) -> list[str]:
    return sorted(state.value_nick for state in node.get_state_set().get_states())


def showing(app: Any) -> Iterator[tuple[Any, str, list[str]]]:
    """(object, role, states) of every showing object below `app`, depth first; a hidden
    object's subtree is skipped (a hidden widget's children are hidden too: Qt's stacked,
    wiped screens)."""
    app.clear_cache()
    pending = [app.get_child_at_index(i) for i in reversed(range(app.get_child_count()))]
    while pending:
        node = pending.pop()
        if node is None:
            continue
        states = _states(node)
        if "showing" not in states:
            continue
        yield node, node.get_role().value_nick, states
        count = node.get_child_count()
        pending.extend(node.get_child_at_index(i) for i in reversed(range(count)))


def snapshot(app: Any, *, words: bool) -> list[dict[str, Any]]:
    """Every showing object: role and states; a button's name and extents too; with `words`,
    every object's name, description, text, extents and actions (each one a call to the
    kiosk over the bus, so the walk of every screen asks only what it checks)."""
    found: list[dict[str, Any]] = []
    for node, role, states in showing(app):
        described: dict[str, Any] = {"role": role, "states": states}
        if words or role in BUTTON_ROLES:
            described["name"] = node.get_name() or ""
            box = Atspi.Component.get_extents(node, Atspi.CoordType.SCREEN)
            described["extents"] = [box.x, box.y, box.width, box.height]
        if words:
            interfaces = set(node.get_interfaces())
            described["description"] = node.get_description() or ""
            if "Text" in interfaces:
                described["text"] = Atspi.Text.get_text(node, 0, -1)
            if "Action" in interfaces:
                count = Atspi.Action.get_n_actions(node)
                described["actions"] = [Atspi.Action.get_action_name(node, i) for i in range(count)]
        found.append(described)
    return found


def press(app: Any, name: str) -> None:
    matches = [
        node
        for node, role, _states in showing(app)
        if role in BUTTON_ROLES and node.get_name() == name
    ]
    if len(matches) != 1:
        raise LookupError(f"{len(matches)} showing buttons named {name!r}, not one")
    button = matches[0]
    count = Atspi.Action.get_n_actions(button)
    actions = [Atspi.Action.get_action_name(button, i) for i in range(count)]
    if "Press" not in actions:
        raise LookupError(f"button {name!r} has no Press action, only {actions}")
    if not Atspi.Action.do_action(button, actions.index("Press")):
        raise RuntimeError(f"the Press action of {name!r} was refused")


def answer(request: dict[str, Any]) -> dict[str, Any]:
    op, pid = request.get("op"), int(request.get("pid", 0))
    app = application(pid)
    if op == "find":
        return {"name": None if app is None else app.get_name()}
    if app is None:
        return {"error": f"no application of process {pid} on the accessibility bus"}
    if op == "snapshot":
        return {"nodes": snapshot(app, words=bool(request.get("words")))}
    if op == "press":
        press(app, str(request["name"]))
        return {"pressed": request["name"]}
    return {"error": f"unknown op {op!r}"}


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = answer(json.loads(line))
        except (GLib.Error, LookupError, RuntimeError, ValueError, KeyError) as error:
            reply = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
