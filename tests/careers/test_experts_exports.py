"""An expert-level call's applications and ranking as Excel: for those who see them on the page,
out of scope 404, a worker without a role 403; a hostile name is written as text, never a
formula; a pilot enterprise's apprentices (all cohorts) likewise."""

from __future__ import annotations

from typing import Any

import pytest

from gongjiang.workforce.models import Worker

from ..access_helpers import check_access
from ..core.test_exports import formulas_in, values_in
from ..factories import UserFactory, member
from . import apprentice_helpers
from .apprentice_helpers import Appr, enrol
from .experts_helpers import Experts, to_notice

pytestmark = pytest.mark.django_db
appr = apprentice_helpers.appr
HOSTILE = '=HYPERLINK("http://x","y")'


def test_call_applications_and_ranking_as_excel(client: Any, world: Any, exp: Experts) -> None:
    call = to_notice(exp, {exp.workers[0]: 90, exp.workers[1]: 80, exp.workers[2]: 70})
    Worker.objects.filter(pk=exp.workers[1].pk).update(name=HOSTILE)
    hr_b = UserFactory(username="hr_b_exp_x")
    member(hr_b, world.enterprise_b, "hr")
    url = f"/careers/experts/calls/{call.code}/applications.xlsx"
    r = check_access(client, url=url, in_scope=exp.organiser, out_of_scope=hr_b)
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    data = r.content
    assert formulas_in(data) == []
    values = values_in(data)
    assert HOSTILE in values and exp.workers[0].name in values
    assert exp.workers[3].name not in values  # no application, not in the list
    # the ranking in order: ranks 1, 2, 3 and the outcome of each
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    ranks = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [int(x) for x in ranks] == [1, 2, 3]
    # the page has the button; a worker with no role gets 403, nothing written
    client.force_login(exp.organiser)
    assert (
        'id="applications-xlsx"'
        in client.get(f"/careers/experts/calls/{call.code}/").content.decode()
    )
    client.force_login(world.worker_a)
    assert client.get(url).status_code in (403, 404)


def test_pilot_apprentices_as_excel(client: Any, world: Any, appr: Appr) -> None:
    a = enrol(appr, appr.me)
    Worker.objects.filter(pk=appr.me.pk).update(name="=1+1")
    url = f"/careers/apprenticeship/pilots/{appr.pilot.code}/apprentices.xlsx"
    r = check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    data = r.content
    assert formulas_in(data) == []
    values = values_in(data)
    assert "=1+1" in values and appr.cohort.name in values and a.cohort.year in values
    client.force_login(appr.hr)
    page = client.get(f"/careers/apprenticeship/pilots/{appr.pilot.code}/").content.decode()
    assert 'id="pilot-apprentices-xlsx"' in page
