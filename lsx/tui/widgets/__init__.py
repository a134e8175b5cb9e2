"""Widgets of the labeling screen: one per kind of object or control."""
