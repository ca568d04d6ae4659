"""Navigation entries. Each app may have a ``nav.py`` with ``items(user) -> list[NavItem]``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class NavItem:
    label: str
    url: str
    icon: str = "circle"
    children: list[NavItem] = field(default_factory=list)
