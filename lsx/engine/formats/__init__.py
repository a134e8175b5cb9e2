"""Importers (files -> task items) and exporters (project -> JSON, JSON_MIN, CSV, TSV, ...)."""
