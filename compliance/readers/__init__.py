"""Readers turn an input file into a raw JSON-like document plus a way to locate values in it."""
