"""Shared factories (each app adds its own in tests/<app>/factories.py)."""

from __future__ import annotations

import itertools
from typing import Any

import factory
from django.contrib.auth import get_user_model

from gongjiang.core.models import Membership, Organization
from gongjiang.core.services import organization_create
from gongjiang.core.validators import uscc_with_check

_seq = itertools.count(1)


def valid_uscc(n: int | None = None) -> str:
    """A valid, unique unified social credit code."""
    n = next(_seq) if n is None else n
    org_code = f"{n:08d}"
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    check = 11 - sum(int(c) * w for c, w in zip(org_code, weights, strict=True)) % 11
    org_check = {10: "X", 11: "0"}.get(check, str(check))
    return uscc_with_check("91320000" + org_code + org_check)


class _SuperUser:
    is_authenticated = True
    is_superuser = True
    is_active = True
    pk = None

    def get_username(self) -> str:
        return "factory"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "Correct-horse-9")


class OrganizationFactory(factory.Factory):
    """Creates organisations through the service (so paths are right). ``parent=None`` makes a root."""

    class Meta:
        model = Organization

    parent = None
    name = factory.Sequence(lambda n: f"组织{n}")
    kind = "provincial"
    region = "320000"
    industry = None
    uscc = ""

    @classmethod
    def _create(cls, model_class: Any, **kwargs: Any) -> Organization:
        if kwargs["kind"] == "enterprise":
            kwargs["industry"] = kwargs.get("industry") or "3711"
            kwargs["uscc"] = kwargs.get("uscc") or valid_uscc()
        return organization_create(actor=_SuperUser(), audit=False, **kwargs)

    @classmethod
    def _build(cls, model_class: Any, **kwargs: Any) -> Organization:
        return model_class(**kwargs)


def member(user: Any, organization: Organization, role: str) -> Membership:
    from gongjiang.core import access

    access.forget(user)
    return Membership.objects.get_or_create(user=user, organization=organization, role=role)[0]
