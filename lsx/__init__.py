"""lsx: a command-line-first data-annotation toolchain that speaks Label Studio's formats."""

__version__ = "0.1.0"
