"""Pinyin keys for search and sorting ("zhangsan" and "zs" both find 张三).

Surnames take their surname readings (曾 zeng, 单 shan, 解 xie, 仇 qiu, 区 ou, 朴 piao, 查 zha, …)
via pypinyin's surname mode when ``surname=True``.
"""

from __future__ import annotations

import functools
import re

from pypinyin import Style, lazy_pinyin

_SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "翟": "zhai",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "缪": "miao",
    "繁": "po",
    "召": "shao",
    "长孙": "zhangsun",
    "尉": "wei",
    "黑": "he",
    "种": "chong",
    "秘": "bi",
    "员": "yun",
    "宁": "ning",
    "柏": "bai",
    "句": "gou",
    "华": "hua",
    "任": "ren",
    "沈": "shen",
    "重": "chong",
    "折": "she",
    "过": "guo",
    "薄": "bo",
    "牟": "mu",
    "纪": "ji",
    "苑": "yuan",
}


@functools.lru_cache(maxsize=65536)
def _syllables(text: str, surname: bool) -> tuple[str, ...]:
    if surname and text:
        for sn in (text[:2], text[:1]):
            if sn in _SURNAME_READINGS:
                rest = lazy_pinyin(text[len(sn) :], style=Style.NORMAL, errors="default")
                if len(sn) == 2:  # keep two syllables so initials stay right (尉迟 → y c)
                    return (*_split_two(sn, _SURNAME_READINGS[sn]), *rest)
                return (_SURNAME_READINGS[sn], *rest)
    return tuple(lazy_pinyin(text, style=Style.NORMAL, errors="default"))


def _split_two(surname: str, reading: str) -> tuple[str, str]:
    parts = lazy_pinyin(surname, style=Style.NORMAL)
    first = parts[0]
    if reading.startswith(first):
        return first, reading[len(first) :]
    # e.g. 尉迟 yuchi: lazy gives wei chi
    for i in range(1, len(reading)):
        if reading[i:].startswith(parts[1][:1]):
            return reading[:i], reading[i:]
    return reading, ""


_NOT_KEY = re.compile(r"[^0-9a-z]+")


def pinyin_key(text: str, *, surname: bool = False) -> str:
    """Full pinyin, lower case, letters and digits only: 张三 → zhangsan."""
    return _NOT_KEY.sub("", "".join(_syllables(text or "", surname)).lower())


def pinyin_initials(text: str, *, surname: bool = False) -> str:
    """First letter of each syllable: 张三 → zs, 李·买买提 → lmmt."""
    return _NOT_KEY.sub("", "".join(s[:1] for s in _syllables(text or "", surname) if s).lower())
