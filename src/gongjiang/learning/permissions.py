"""Permissions this app grants to roles (see gongjiang.core.access)."""
