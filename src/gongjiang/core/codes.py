"""Opaque public identifiers: never a sequential id in a URL."""

import secrets

_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def new_code(length: int = 12) -> str:
    """A random, URL-safe, unambiguous code (about 59 bits for 12 characters)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
