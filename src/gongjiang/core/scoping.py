"""Restricted querysets: every model holding personal or organisational data reads through
``.visible_to(user)``, which keeps only rows inside the organisation subtrees the user's roles cover.

A model declares where its organisation path lives with ``SCOPE_PATH`` (default
``"organization__path"``); the permission asked for defaults to ``<app>.view_<model>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def prefix_q(field: str, paths: list[str]) -> models.Q:
    """OR of ``field__startswith`` for each path (an empty list matches nothing)."""
    q = models.Q(pk__in=[])
    for path in paths:
        q |= models.Q(**{f"{field}__startswith": path})
    return q


class ScopedQuerySet(models.QuerySet):
    def scope_field(self) -> str:
        return getattr(self.model, "SCOPE_PATH", "organization__path")

    def default_perm(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}.view_{opts.model_name}"

    def visible_to(
        self, user: AbstractBaseUser | AnonymousUser | None, perm: str | None = None
    ) -> Any:
        from .access import scope_paths

        paths = scope_paths(user, perm or self.default_perm())
        if paths is None:
            return self.all()
        return self.filter(prefix_q(self.scope_field(), paths))

    def within(self, organization: Any) -> Any:
        """Rows inside one organisation's subtree."""
        return self.filter(**{f"{self.scope_field()}__startswith": organization.path})
