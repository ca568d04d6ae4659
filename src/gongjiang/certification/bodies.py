"""Evaluation bodies (评价机构): who evaluates, and the name certificates print for them.

Two kinds, as the certificate number's first letter says (see ``numbers.py``):

* ``Y`` 用人单位 — an employer evaluating its own workers. The plan belongs to the enterprise union
  that covers the employer (so its officers run it and only its workers may enrol), and the body is
  the **enterprise**: certificates print its legal name, never the union's "…工会".
* ``S`` 社会培训评价组织 — a social training and evaluation organisation: an organisation of its own
  kind (``Organization.Kind.EVALUATION``) placed under the federation that oversees it.
"""

from __future__ import annotations

from typing import Any

from gongjiang.core.enterprises import legal_name_of_union
from gongjiang.core.models import Enterprise, Organization

# the organisation kind each kind of evaluation body is
BODY_ORGANIZATION_KIND = {"Y": Organization.Kind.ENTERPRISE, "S": Organization.Kind.EVALUATION}


def body_name(organization: Any) -> str:
    """The evaluation body's name as certificates and the verification page show it."""
    if organization.kind == Organization.Kind.ENTERPRISE:
        names = list(
            Enterprise.objects.filter(union=organization, is_active=True)
            .order_by("id")
            .values_list("name", flat=True)[:2]
        )
        return names[0] if len(names) == 1 else legal_name_of_union(organization.name)
    return organization.name
