"""Every demo role, every menu and home-page link (and the links on those pages, two levels deep):
nothing answers 403 or 404, and no page shows an internal code — in Chinese and in English."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings

from .demo_walk import build_demo, demo_logins, internal_tokens, walk

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Any]:
    """The demo, built once for this module inside a transaction that is rolled back at the end."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            yield build_demo()
            transaction.set_rollback(True)


def _client(user: Any, language: str) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def _allowed_words() -> set[str]:
    """Words that are data, not codes: login names, the language switcher's 'English'."""
    return set(get_user_model().objects.values_list("username", flat=True)) | {"English"}


def test_every_role_opens_every_link_it_is_shown(demo: Any, db: Any) -> None:
    broken: list[str] = []
    words: list[str] = []
    allowed = _allowed_words()
    pages = 0
    for username in demo_logins(demo):
        user = get_user_model().objects.get(username=username)
        client = _client(user, "zh-hans")
        for visit in walk(client, user, depth=2):
            pages += 1
            if visit.status in (403, 404) or visit.status >= 500:
                broken.append(
                    f"{username}: {visit.status} {visit.url} (linked from {visit.source})"
                )
            if visit.html and not visit.url.startswith("/reference/"):
                # reference data lists the English names of occupations and levels on purpose
                words += [
                    f"{username} {visit.url}: {t}"
                    for t in internal_tokens(visit.html, chinese=True, allowed=allowed)
                ]
    assert pages > 500  # the walk reaches the demo's pages
    assert not broken, "\n".join(broken)
    assert not words, "\n".join(sorted(set(words))[:60])


def test_pages_in_english_show_no_internal_codes(demo: Any, db: Any) -> None:
    """Each page once (by the first role that reaches it), rendered in English."""
    allowed = _allowed_words()
    words: list[str] = []
    seen: set[str] = set()
    for username in ("sysadmin", "pz_worker", "pz_judge", "js_inspector", "hrss_officer"):
        user = get_user_model().objects.get(username=username)
        client = _client(user, "en")
        for visit in walk(client, user, depth=1):
            if visit.url in seen or not visit.html:
                continue
            seen.add(visit.url)
            assert 'lang="en"' in visit.html, visit.url
            words += [
                f"{username} {visit.url}: {t}"
                for t in internal_tokens(visit.html, chinese=False, allowed=allowed)
            ]
    assert len(seen) > 50
    assert not words, "\n".join(sorted(set(words))[:60])
