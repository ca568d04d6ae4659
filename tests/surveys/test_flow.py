from __future__ import annotations

from typing import Any

import pytest

from gongjiang.surveys import rollups, selectors, services
from gongjiang.surveys.models import Invitation, Response

from .helpers import answers


@pytest.mark.django_db
def test_answer_and_rollups_equal_recount(sw: Any) -> None:
    for i, w in enumerate(sw.workers[:12]):
        services.response_submit(actor=w.user, survey=sw.survey, answers=answers(i))
    assert Response.objects.filter(survey=sw.survey).count() == 12
    assert Invitation.objects.filter(survey=sw.survey).exclude(completed_on=None).count() == 12
    check = rollups.verify(sw.survey)
    assert check["equal"], check
    result = selectors.breakdown(actor=sw.world.alice, survey=sw.survey)
    assert result["respondents"] == 12
    q1 = next(q for q in result["questions"] if q["key"] == "q1")
    assert q1["counts"][""] == {"a": 8, "b": 4}
