"""The `lsx` command line: thin Typer wrappers over lsx.engine functions."""
