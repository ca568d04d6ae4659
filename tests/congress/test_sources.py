"""The rules page shows, beside each default, where it comes from: the article of 《企业民主管理规定》
(2012) where its number was found quoted, else "article number not verified" (docs/congress.md)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from gongjiang.congress.services import RULE_FIELDS
from gongjiang.congress.sources import FIXED_RULES, RULE_SOURCES


def test_every_setting_has_a_source_and_articles_are_stated_honestly() -> None:
    assert set(RULE_SOURCES) == set(RULE_FIELDS)
    with translation.override("en"):
        for source in [*RULE_SOURCES.values(), *(s for _k, _r, s in FIXED_RULES)]:
            text = str(source)
            cites_the_rules = "《企业民主管理规定》" in text
            has_article = re.search(r"第[一二三四五六七八九十]+条", text) is not None
            if cites_the_rules:
                # either an article number, or the plain statement that it is not verified
                assert has_article or "article number not verified" in text, text
    assert "第二十条" in str(dict((k, s) for k, _r, s in FIXED_RULES)["majority"])


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rules_page_renders_each_source(world: Any, language: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.enterprise_officer_a)
    with translation.override(language):
        page = client.get(f"/congress/rules/{world.enterprise_a.code}/").content.decode()
        expected = {name: str(RULE_SOURCES[name]) for name in RULE_FIELDS}
        fixed = [str(s) for _k, _r, s in FIXED_RULES]
        helps = [str(RULE_SOURCES[name]) for name in RULE_FIELDS]
    shown = dict(re.findall(r'name="(\w+)"[^>]*data-source="([^"]*)"', page))
    shown.update({n: s for s, n in re.findall(r'data-source="([^"]*)"[^>]*name="(\w+)"', page)})
    assert {k: html.unescape(v) for k, v in shown.items()} == expected
    unescaped = html.unescape(page)
    assert 'id="fixed-rules"' in page
    for source in fixed:
        assert source in unescaped
    assert "第二十条" in unescaped
    for source in helps:  # the help under each field names the source too
        assert source in unescaped
