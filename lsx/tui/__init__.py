"""`lsx label`: a keyboard-first Textual UI for labeling text tasks.

The app renders the engine's interface tree and talks to a `LabelingBackend` (in-process
engine, or a remote `lsx serve`); every labeling rule (validation, sampling, locks) stays in
the engine.
"""
