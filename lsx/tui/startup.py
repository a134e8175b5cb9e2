"""Start-up of `lsx label` without the cyclic garbage collector.

Opening the UI imports SQLAlchemy, the engine's models and Textual, and builds the first screen:
hundreds of thousands of objects that all live on. Collecting while they are made finds nothing
to free and costs a fifth of the start-up's CPU time, so `hold_gc` turns the collector off before
the imports and the app calls `release_gc` once the first task is drawn: what start-up built is
frozen (later collections skip it, so no full collection pauses a keystroke) and the collector
runs again.
"""

from __future__ import annotations

import gc

_held = False


def hold_gc() -> None:
    """No cyclic collection until `release_gc` (first paint, or the command's end)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release_gc() -> None:
    """Freeze what start-up built and collect again; a no-op unless `hold_gc` turned it off."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
