"""Browsers ask for /favicon.ico on every first load: it answers with an icon, signed in or not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.django_db
def test_favicon_is_served_to_anyone(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert "max-age" in response["Cache-Control"]


def test_pages_link_the_icons(client: Client, world: Any) -> None:
    html = client.get("/login/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
