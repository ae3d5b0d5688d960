"""Helpers with no stable API."""
