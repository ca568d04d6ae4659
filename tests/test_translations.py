"""Every user-facing string has a zh-hans translation, and the compiled catalogues are current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "gongjiang"
PO_FILES = sorted(PACKAGE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))

ENTRY = re.compile(
    r'(?ms)^(#,[^\n]*\n)?(?:#\|[^\n]*\n)*(?:msgctxt "[^\n]*"\n)?msgid ((?:"[^\n]*"\n)+)(?:msgid_plural (?:"[^\n]*"\n)+)?((?:msgstr(?:\[\d\])? (?:"[^\n]*"\n?)+)+)'
)


def _text(chunk: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', chunk))


def test_there_are_catalogues() -> None:
    apps = {p.parts[-5] for p in PO_FILES}
    assert {"core", "workforce", "learning", "certification", "competitions", "reform"} <= apps


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_string_is_translated(po: Path) -> None:
    untranslated = []
    fuzzy = []
    for match in ENTRY.finditer(po.read_text(encoding="utf-8") + "\n"):
        flags, msgid, msgstrs = match.groups()
        if _text(msgid) == "":
            continue  # header
        if flags and "fuzzy" in flags:
            fuzzy.append(_text(msgid))
        for chunk in re.split(r"(?m)^msgstr(?:\[\d\])? ", msgstrs)[1:]:
            if _text(chunk) == "":
                untranslated.append(_text(msgid))
    assert not untranslated, f"{po}: untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{po}: fuzzy: {fuzzy[:20]}"


CTX_ENTRY = re.compile(
    r'(?ms)^(?:msgctxt ((?:"[^\n]*"\n)+))?msgid ((?:"[^\n]*"\n)+)msgstr ((?:"[^\n]*"\n?)+)'
)


def _unescape(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), text)


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_compiled_catalogue_is_current(po: Path) -> None:
    """The .mo next to each .po holds the same translations (compilemessages was run)."""
    import gettext

    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} missing: run compilemessages"
    with mo.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    stale = []
    for ctxt, msgid, msgstr in CTX_ENTRY.findall(po.read_text(encoding="utf-8") + "\n"):
        key = _unescape(_text(msgid))
        if not key:
            continue
        if ctxt:
            key = _unescape(_text(ctxt)) + "\x04" + key
        if catalog.get(key) != _unescape(_text(msgstr)):
            stale.append(key)
    assert not stale, f"{mo} is older than {po.name}: {stale[:10]}"


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_translation_repeats_itself(po: Path) -> None:
    """Regression: some translations were once written two or three times over in one msgstr."""
    repeated = []
    for match in CTX_ENTRY.finditer(po.read_text(encoding="utf-8") + "\n"):
        text = _text(match.group(3))
        for k in (2, 3):
            unit = text[: len(text) // k]
            if len(text) >= 8 and len(text) % k == 0 and unit * k == text:
                repeated.append(_text(match.group(2)))
                break
    assert not repeated, f"{po}: translations repeated: {repeated[:5]}"
