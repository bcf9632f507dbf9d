"""Helpers, constants and payloads shared by more than one test module; fixtures live in
the conftest.py files, which may import from here."""
