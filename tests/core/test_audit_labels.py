"""The audit log shows every action in words: each action the code records has a label."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils import translation

from gongjiang.core.audit import audit_record
from gongjiang.core.audit_labels import ACTION_LABELS, action_label

SRC = Path(__file__).resolve().parents[2] / "src" / "gongjiang"
CODE = r"\"([a-z_]+(?:\.[a-z_]+)+)\""
# action="x.y", action="x.y" if … else "x.z", and the helpers that pass the action on
PATTERNS = [
    re.compile(r"action=" + CODE + r"(?:\s+if\s+[^\n]+?\s+else\s+" + CODE + ")?"),
    re.compile(r"_(?:set_status|refinalize)\([^)]*?," + r"\s*" + CODE + r"\s*\)", re.S),
]


def _recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "audit" not in text:
            continue
        for pattern in PATTERNS:
            for m in pattern.finditer(text):
                found.update(g for g in m.groups() if g)
    return found - {"store_true", "store_false"}  # argparse, not audit


def test_every_recorded_action_has_a_label() -> None:
    actions = _recorded_actions()
    assert len(actions) > 80  # the scan finds the actions
    assert actions - set(ACTION_LABELS) == set()


def test_labels_translated_and_unknown_is_words() -> None:
    with translation.override("zh-hans"):
        assert action_label("user.login") == "登录"
        assert action_label("no.such_action") == "其他操作"


def test_audit_page_shows_words_not_codes(client: Any, world: Any) -> None:
    audit_record(actor=world.alice_admin, action="user.login", organization=world.province_a)
    client.force_login(world.alice_admin)
    html = client.get(reverse("core:audit_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "登录" in html
    assert ">user.login<" not in html
    # the filter chooses an action by its label
    response = client.get(reverse("core:audit_list") + "?action=user.login")
    assert response.status_code == 200 and "登录" in response.content.decode()
