"""The roster upload page offers a template (.xlsx) with the roster's columns and one example row,
and the template re-imports cleanly in a dry run."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gongjiang.workforce.roster.importer import roster_import
from gongjiang.workforce.roster.reader import FIELDS
from gongjiang.workforce.roster.template import roster_template_columns

pytestmark = pytest.mark.django_db


def test_the_upload_page_links_the_template_and_only_importers_get_it(
    client: Any, world: Any
) -> None:
    url = reverse("workforce:import_template")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(world.nobody)
    assert client.get(url).status_code == 403
    client.force_login(world.alice)
    page = client.get(reverse("workforce:import_upload")).content.decode()
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0] == roster_template_columns() and len(rows) == 2


def test_the_template_re_imports_cleanly_in_a_dry_run(client: Any, world: Any) -> None:
    client.force_login(world.alice)
    data = client.get(reverse("workforce:import_template")).content
    result = roster_import(
        actor=world.alice,
        source=io.BytesIO(data),
        filename="template.xlsx",
        organization=world.enterprise_a,
        dry_run=True,
    )
    assert (result.rows, result.valid, result.rejected, result.created) == (1, 1, 0, 1)
    assert result.errors == [] and result.warnings == []
    assert set(result.mapping) == set(FIELDS)  # every column is recognised
