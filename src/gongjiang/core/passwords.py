"""Password validators for the patterns people in China actually use.

Django's own validators miss the usual weak choices: ``UserAttributeSimilarityValidator`` compares
the whole password with the user name, so ``lock5lock5`` for ``lock5`` passes (similarity 0.67), and
its common-password list is English. These two validators (listed in ``AUTH_PASSWORD_VALIDATORS``)
refuse:

* :class:`PersonalInfoValidator` — a password built from the user's own particulars with only digits
  or punctuation added: the user name, the e-mail name, the name in pinyin (full and initials, also
  reversed or repeated), the birth date and the digits of the worker's citizen ID number
  (``zhangwei19900101``, ``lock5lock5``, ``5kcol2024``).
* :class:`ChineseCommonPasswordValidator` — a list of common passwords in Chinese usage shipped as
  ``gongjiang/data/common-passwords-zh.txt`` (``woaini1314``, ``1qaz2wsx``, ``qwe123``…), any
  password that is one short unit repeated (``abcabcabcabc``), a keyboard run, or pinyin syllables
  (a name, ``woaini``) plus digits such as a birthday (``liuyang880808``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongjiang.core.pinyin import pinyin_initials, pinyin_key

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords-zh.txt"

_FILLER = re.compile(r"[\d\W_]+")  # digits, punctuation, spaces: what people append to a word
_LETTERS = re.compile(r"[a-z]+")
_KEYBOARD_ROWS = (
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "qazwsxedcrfvtgbyhnujmikolp",
    "abcdefghijklmnopqrstuvwxyz",
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _only_filler(rest: str) -> bool:
    """True when what is left of a password after removing a word adds no real letters."""
    return len("".join(_LETTERS.findall(_FILLER.sub("", rest)))) < 4


def _strip_all(password: str, tokens: list[str]) -> str:
    rest = password
    for token in sorted(tokens, key=len, reverse=True):
        rest = rest.replace(token, " ").replace(token[::-1], " ")
    return rest


def _worker_of(user: Any) -> Any:
    """The worker record linked to a saved login (workforce app), or None."""
    if user is None or not getattr(user, "pk", None):
        return None
    return getattr(user, "worker", None)  # a missing reverse one-to-one is an AttributeError


def _citizen_id_of(worker: Any) -> str:
    token = getattr(worker, "citizen_id_encrypted", "") or ""
    if not token:
        return ""
    try:
        from gongjiang.workforce.personal import decrypt

        return decrypt(token)
    except (ImportError, ValueError):  # a password check never fails on a key problem
        return ""


class PersonalInfoValidator:
    """Refuse the user's own name, e-mail name, pinyin name or ID digits dressed up with digits."""

    def __init__(self, min_token: int = 3) -> None:
        self.min_token = min_token

    def _tokens(self, user: Any) -> list[str]:
        words: list[str] = []
        if user is None:
            return words
        words.append(getattr(user, "username", "") or "")
        email = getattr(user, "email", "") or ""
        words.append(email.split("@", 1)[0])
        for attr in ("first_name", "last_name"):
            words.append(getattr(user, attr, "") or "")
        full = f"{getattr(user, 'last_name', '') or ''}{getattr(user, 'first_name', '') or ''}"
        worker = _worker_of(user)
        worker_name = getattr(worker, "name", "") or ""
        for name in {full, getattr(user, "first_name", "") or "", worker_name}:
            if name and not name.isascii():
                words += [pinyin_key(name, surname=True), pinyin_initials(name, surname=True)]
                # surname and given name apart, so "nanaouyang" (given name first) is caught too
                for cut in (1, 2):
                    if len(name) > cut:
                        words += [pinyin_key(name[:cut], surname=True), pinyin_key(name[cut:])]
        birth = getattr(worker, "birth_date", None)
        if birth is not None:
            words += [birth.strftime("%Y%m%d"), birth.strftime("%y%m%d"), birth.strftime("%m%d")]
        cid = _citizen_id_of(worker)
        if cid:
            words += [cid.lower(), cid[-6:].lower(), cid[-4:].lower(), cid[6:14]]
        tokens = []
        for word in words:
            word = _fold(word)
            for part in {word, _FILLER.sub("", word)}:
                if len(part) >= self.min_token:
                    tokens.append(part)
        return tokens

    def validate(self, password: str, user: Any = None) -> None:
        tokens = self._tokens(user)
        folded = _fold(password)
        if not tokens or not any(t in folded or t[::-1] in folded for t in tokens):
            return
        if _only_filler(_strip_all(folded, tokens)):
            raise ValidationError(
                _(
                    "The password is your own name, user name, birth date or ID number with "
                    "digits or symbols added; choose words that others cannot guess."
                ),
                code="password_personal",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password cannot be your name, user name, birth date or ID number with digits "
            "added."
        )


@functools.cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(_fold(line.strip()) for line in lines if line.strip() and line[0] != "#")


@functools.cache
def _pinyin_syllables() -> frozenset[str]:
    from pypinyin.constants import PINYIN_DICT

    syllables = set()
    for readings in PINYIN_DICT.values():
        for reading in readings.split(","):
            plain = "".join(
                c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c)
            )
            syllables.add(plain.replace("ü", "v"))
    return frozenset(s for s in syllables if s.isalpha() and s.isascii())


def _is_pinyin(word: str, max_syllables: int = 5) -> bool:
    """Whether ``word`` splits wholly into at most ``max_syllables`` pinyin syllables."""
    if not word or not word.isascii():
        return False
    syllables = _pinyin_syllables()

    @functools.cache
    def fewest(start: int) -> int:
        if start == len(word):
            return 0
        best = max_syllables + 1
        for end in range(start + 1, min(len(word), start + 6) + 1):
            if word[start:end] in syllables:
                best = min(best, 1 + fewest(end))
        return best

    return fewest(0) <= max_syllables


def _is_repetition(text: str) -> bool:
    return re.fullmatch(r"(.+?)\1+", text) is not None


def _is_keyboard_run(text: str, length: int = 6) -> bool:
    if len(text) < length:
        return False
    return any(text in row or text[::-1] in row for row in _KEYBOARD_ROWS)


class ChineseCommonPasswordValidator:
    """Refuse passwords common in Chinese usage (list file), repetitions, runs, pinyin + digits."""

    def validate(self, password: str, user: Any = None) -> None:
        folded = _fold(password)
        core = _FILLER.sub("", folded)
        digits_stripped = folded.strip("0123456789!@#$%^&*.-_ ")
        letters = "".join(_LETTERS.findall(core))
        if (
            folded in _common_passwords()
            or digits_stripped in _common_passwords()
            or core in _common_passwords()
            or _is_repetition(folded)
            or _is_keyboard_run(folded)
            or (letters == core and len(letters) >= 1 and _is_pinyin(letters) and core != folded)
            or (len(set(folded)) <= 3)
        ):
            raise ValidationError(
                _(
                    "The password is too common (a common password, a pinyin name or phrase with "
                    "a date or digits, a keyboard run or a repetition)."
                ),
                code="password_common_zh",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password cannot be a common password such as a pinyin name with a birthday, "
            "“woaini1314” or “1qaz2wsx”."
        )
