"""Walk the pages every demo role reaches from its menus and its home page (used by the link walk,
the words test and the phone test): the demo built once per module, links followed a bounded depth."""

from __future__ import annotations

import importlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve

HREF = re.compile(r'href="(/[^"#]*)"')
# not pages: static files, downloads of the API, logging out, switching language
SKIP = ("/static/", "/media/", "/api/", "/logout", "/i18n/", "/admin/")


def build_demo() -> Any:
    """The demo data set (gongjiang demo) on the test database; returns the DemoContext."""
    from gongjiang.core.demo import load_core_demo

    from ..conftest import ensure_reference_data

    ensure_reference_data()
    ctx = load_core_demo()
    for app in settings.GONGJIANG_APPS:
        try:
            module = importlib.import_module(f"gongjiang.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"gongjiang.{app}.demo":
                raise
            continue
        module.load(ctx, io.StringIO())
    return ctx


def demo_logins(ctx: Any) -> list[str]:
    return [username for username, _label, _password in ctx.logins]


def menu_urls(user: Any) -> list[str]:
    from gongjiang.core.context_processors import navigation

    request = RequestFactory().get("/")
    request.user = user
    out: list[str] = []
    for item in navigation(request)["nav_items"]:
        if item.url:
            out.append(item.url)
        out += [c.url for c in item.children]
    return out


@dataclass
class Visit:
    url: str
    status: int
    level: int
    source: str
    html: str = field(repr=False, default="")


def _key(url: str) -> Any:
    """Pages past the menus are taken once per view (one worker's profile stands for all)."""
    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return url
    return (match.view_name, "?" in url)


def walk(client: Client, user: Any, depth: int = 2) -> Iterator[Visit]:
    """GET the user's menu pages and home page (level 0), then the links on them, ``depth`` levels
    deep; past level 0 one URL per view. Yields every visit."""
    frontier = [(url, "menu") for url in menu_urls(user)] + [("/", "home")]
    seen: set[str] = set()
    keys: set[Any] = set()
    for level in range(depth + 1):
        following: list[tuple[str, str]] = []
        for url, source in frontier:
            if url in seen or url.startswith(SKIP):
                continue
            seen.add(url)
            if level:
                key = _key(url)
                if key in keys:
                    continue
                keys.add(key)
            response = client.get(url)
            html = ""
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                html = response.content.decode()
                if level < depth:
                    following += [(h.replace("&amp;", "&"), url) for h in HREF.findall(html)]
            yield Visit(url, response.status_code, level, source, html)
        frontier = following


# ------------------------------------------------------------------------------------ words
class _Text(HTMLParser):
    SKIP = {"script", "style", "pre", "textarea", "svg"}
    ATTRS = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        self.parts += [v for k, v in attrs if k in self.ATTRS and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [s.strip() for s in parser.parts if s.strip()]


# raw values of choices a user must never read (question types, statuses)
CHOICE_VALUES = {
    "single",
    "multiple",
    "true_false",
    "fill",
    "short",
    "practical",
    "in_progress",
    "not_started",
    "at_risk",
    "blueprint",
}
DOTTED_CODE = re.compile(r"\b[a-z][a-z_]+\.[a-z][a-z_]+(?:\.[a-z_]+)?\b")
FILE_NAME = re.compile(r"\.(xlsx|xls|csv|pdf|docx|png|jpg|html|com|cn|org|net)\b")
MINUTES = re.compile(r"\(\d+\s*min\)")
OPAQUE_CODE = re.compile(r"[0-9a-z]{12}")
ENGLISH = re.compile(r"[A-Za-z][A-Za-z ,.'’:;!?()/-]{3,}")


def internal_tokens(html: str, *, chinese: bool, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """What on a page is an internal code rather than a word for its reader."""
    found: list[str] = []
    for text in visible_text(html):
        if text in allowed:
            continue
        if OPAQUE_CODE.fullmatch(text):
            continue  # a record's public code (shown where a user quotes it: imports, the API)
        if (text in CHOICE_VALUES and (chinese or "_" in text)) or "true_false" in text:
            found.append(f"choice value {text!r}")
        for m in DOTTED_CODE.finditer(text):
            if not FILE_NAME.search(m.group(0)):
                found.append(f"dotted code {m.group(0)!r}")
        if MINUTES.search(text):
            found.append(f"abbreviation {text!r}")
        if text == "*":
            found.append("a lone '*'")
        if chinese and ENGLISH.fullmatch(text) and re.search(r"[a-z]{3}", text):
            found.append(f"English on a Chinese page {text!r}")
    return found
