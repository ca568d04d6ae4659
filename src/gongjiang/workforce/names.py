"""Pinyin search keys of workers' names, cheap enough for million-row imports.

``core.pinyin`` converts a whole name with pypinyin (phrase-aware, ~60 µs a name). A roster of a
million workers holds hundreds of thousands of different names, so the registry converts a name
character by character instead, with a cache per character: the surname (one character, or a
two-character compound surname such as 欧阳) takes its surname reading exactly as core.pinyin does
(曾 zeng, 单 shan, 解 xie …), each character of the given name its usual reading. Names holding Latin
letters or digits go through core.pinyin unchanged. Every writer of workers (services, importer)
uses :func:`name_keys`, so search finds what was stored.
"""

from __future__ import annotations

import functools
import re

from gongjiang.core.pinyin import _SURNAME_READINGS, _syllables, pinyin_initials, pinyin_key

_NOT_KEY = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=1 << 16)
def _char(ch: str) -> tuple[str, ...]:
    return _syllables(ch, False)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or ch == "·"


@functools.lru_cache(maxsize=1 << 17)
def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lower-case letters and digits: 曾小明 → ("zengxiaoming", "zxm")."""
    if not name:
        return "", ""
    if not all(_is_cjk(ch) for ch in name):
        return pinyin_key(name, surname=True)[:200], pinyin_initials(name, surname=True)[:50]
    cut = 2 if name[:2] in _SURNAME_READINGS else 1
    syllables = [*_syllables(name[:cut], True), *(s for ch in name[cut:] for s in _char(ch))]
    key = _NOT_KEY.sub("", "".join(syllables).lower())
    initials = _NOT_KEY.sub("", "".join(s[:1] for s in syllables if s).lower())
    return key[:200], initials[:50]
