"""Bench: the technical exchange's search (exchange.question_list, first page of 20 + the count, as
the page and ``GET /api/v1/innovation/exchange/questions`` do) by Chinese word, full pinyin and
pinyin initials, over N questions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<bench db> SECRET_KEY=… FIELD_ENCRYPTION_KEY=… \\
        .venv/bin/python bench/innovation_exchange.py --count 50000

Runs as production does (DEBUG off). The database must be migrated (``gongjiang migrate``; on
PostgreSQL migration 0006 adds the pg_trgm index on the search column). The anchor, printed beside
each figure in the same run, is the old search: five ``LIKE '%…%'`` that scan every question.
Questions are added in bulk (with their search columns computed by core.pinyin) until there are N;
the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from gongjiang.core.models import Organization  # noqa: E402
from gongjiang.innovation import exchange  # noqa: E402
from gongjiang.innovation.models import Question  # noqa: E402

WORDS = [
    "焊接",
    "变形",
    "数控",
    "对刀",
    "刀具",
    "寿命",
    "绕线",
    "张力",
    "车门",
    "故障",
    "风口",
    "更换",
    "贴片",
    "抛料",
    "阀门",
    "校验",
    "钢筋",
    "滚焊",
    "余热",
    "回收",
    "安全",
    "质量",
]
SEARCHES = {
    "word": ["焊接变形", "对刀", "抛料", "余热回收"],
    "pinyin": ["hanjie", "shukong", "zhangli", "yurehuishou"],
    "initials": ["hjbx", "sk", "dd", "yrhs"],
}
# one and two characters: no trigram, so before migration 0009 the LIKE read the whole column
SHORT = ["对刀", "抛料", "焊", "刀", "sk", "dd"]  # each in 17–33 % of the questions
SHORT_RARE = ["电梯", "轴", "qz", "锅炉"]  # in none of them: the worst case of a scan


def ensure(count: int) -> int:
    have = Question.objects.count()
    if have >= count:
        return have
    org = Organization.objects.order_by("path").first()
    if org is None:
        org = Organization.objects.create(
            name="基准测试总工会", kind="national", region_id="110000"
        )
    rng = random.Random(16)
    batch = []
    for i in range(have, count):
        title = "".join(rng.sample(WORDS, 3)) + f"问题{i}"
        topic = rng.choice(WORDS)
        body = "基准测试内容" * 5
        pinyin, initials = exchange._search_keys(title, topic)
        batch.append(
            Question(
                organization=org,
                author_name="张三",
                author_employer="基准测试企业",
                title=title,
                topic=topic,
                body=body,
                search_pinyin=pinyin,
                search_initials=initials,
                search_text=exchange.search_text(
                    title=title, topic=topic, body=body, pinyin=pinyin, initials=initials
                ),
            )
        )
        if len(batch) == 5000:
            Question.objects.bulk_create(batch)
            batch = []
    Question.objects.bulk_create(batch)
    return Question.objects.count()


def scan(term: str):
    """The anchor: the search as it was before the search column (five ``LIKE '%…%'`` over the
    title, text, topic and pinyin columns), which no index serves."""
    from django.db.models import Q

    from gongjiang.core.pinyin import pinyin_key

    match = Q(title__icontains=term) | Q(body__icontains=term) | Q(topic__icontains=term)
    key = pinyin_key(term) if term.isascii() else ""
    if key:
        match |= Q(search_pinyin__contains=key) | Q(search_initials__contains=key)
    return Question.objects.filter(is_hidden=False).filter(match)


def column_like(term: str):
    """The search column read with ``LIKE '%…%'`` only (the short-term path before 0009)."""
    from django.db.models import Q

    from gongjiang.core.pinyin import pinyin_key

    match = Q(search_text__contains=term.lower())
    key = pinyin_key(term) if term.isascii() else ""
    if key and key != term.lower():
        match |= Q(search_text__contains=key)
    return Question.objects.filter(is_hidden=False).filter(match).select_related("occupation")


def timed(run, terms: list[str]) -> list[float]:
    times = []
    for _round in range(3):
        for term in terms:
            start = time.perf_counter()
            qs = run(term)
            list(qs[:20])
            qs.count()
            times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    from django.conf import settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    total = ensure(args.count)
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench_reader")
    print(
        f"{total:,} questions on {connection.vendor}, DEBUG={settings.DEBUG}; "
        f"load average {os.getloadavg()[0]:.1f} (2 shared cores)"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE innovation_question")
    for kind, terms in SEARCHES.items():
        new = timed(lambda t: exchange.question_list(actor=user, q=t), terms)
        old = timed(scan, terms)
        print(
            f"{kind:>9}: search column median {statistics.median(new):.0f} ms "
            f"(max {max(new):.0f}); anchor, the old scan: median {statistics.median(old):.0f} ms "
            f"(max {max(old):.0f})"
        )
    for label, terms in (("short", SHORT), ("rare", SHORT_RARE)):
        new = timed(lambda t: exchange.question_list(actor=user, q=t), terms)
        old = timed(column_like, terms)
        print(
            f"{label:>9}: {' '.join(terms)}: median {statistics.median(new):.0f} ms "
            f"(max {max(new):.0f}); the column's LIKE as before 0009: median "
            f"{statistics.median(old):.0f} ms (max {max(old):.0f})"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
