"""Password rules: the user's own particulars plus digits, and common passwords in Chinese usage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from gongjiang.core.passwords import (
    COMMON_PASSWORDS_FILE,
    ChineseCommonPasswordValidator,
    PersonalInfoValidator,
)
from gongjiang.workforce.personal import decrypt
from tests.factories import UserFactory


def _refused(password: str, user: Any = None) -> bool:
    try:
        validate_password(password, user)
    except ValidationError:
        return True
    return False


@pytest.mark.parametrize(
    "password",
    ["lock5lock5", "lock51990!!", "5kcol5kcol", "LOCK5-2026-1", "2026lock5lock5", "lock5@@@@@@"],
)
def test_user_name_with_digits_is_refused(db: Any, password: str) -> None:
    user = UserFactory(username="lock5")
    with pytest.raises(ValidationError) as exc:
        PersonalInfoValidator().validate(password, user)
    assert exc.value.code == "password_personal"
    assert _refused(password, user)


def test_pinyin_name_birth_date_and_id_digits_are_refused(db: Any, world: Any) -> None:
    from tests.workforce.helpers import make_worker

    user = UserFactory(username="w1001", first_name="欧阳娜娜", email="nana.oy@example.cn")
    worker = make_worker(world.enterprise_a, n=7, name="欧阳娜娜")
    worker.user = user
    worker.save(update_fields=["user"])
    user.refresh_from_db()
    cid = decrypt(worker.citizen_id_encrypted)
    birth: dt.date = worker.birth_date
    validator = PersonalInfoValidator()
    for password in (
        "ouyangnana1234",
        "oynn20262026",
        "nana.oy-2026",
        f"oyNN{birth:%Y%m%d}",
        f"nanaouyang{cid[-6:]}",
        cid,
    ):
        with pytest.raises(ValidationError):
            validator.validate(password, user)
    # the name inside a longer passphrase with real words is fine
    validator.validate("ouyang-likes-green-tea-2026", user)


@pytest.mark.parametrize(
    "password",
    [
        "woaini1314",
        "WoAiNi520520",
        "1qaz2wsx3edc",
        "qwe123qwe123",
        "qwe123456789",
        "zhangwei19900101",
        "liuyang880808",
        "wangxiuying.1985",
        "abcabcabcabc",
        "asdfghjkl;'",
        "aaaaaaaaaaab",
        "admin2026!!!",
        "p@ssw0rd2026",
    ],
)
def test_common_chinese_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ChineseCommonPasswordValidator().validate(password)
    assert exc.value.code == "password_common_zh"


@pytest.mark.parametrize(
    "password",
    ["Correct-horse-9", "A-much-longer-one-42", "Solid-pass-2026", "车间焊工老王说了算2026"],
)
def test_good_passwords_pass(db: Any, password: str) -> None:
    user = UserFactory(username="lock5", first_name="王强")
    validate_password(password, user)


def test_messages_are_translated(db: Any) -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            validate_password("woaini1314", get_user_model()(username="x"))
    assert any("拼音姓名" in m for m in exc.value.messages), exc.value.messages


def test_common_list_ships_with_the_code() -> None:
    words = [w for w in COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").split() if w[0] != "#"]
    assert "woaini1314" in words and "1qaz2wsx" in words and "qwe123" in words
