"""Demo data of worker surveys: the province's 2025 round (closed) and its 2026 round (open), each
sent to a stratified sample of the registry, with a few thousand answers bulk-created.

The officer ``js_officer`` writes the questionnaire and ``js_admin`` publishes it (separation of
duties); ``pz_worker`` is invited to the 2026 round and has not answered yet (their home to-do)."""

from __future__ import annotations

import random
import time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongjiang.workforce.models import Worker

from . import rollups, services
from .models import Invitation, Response, Survey
from .questions import clean_answers
from .sampling import WORKER_COLUMNS, strata_of

SATISFACTION = [
    {"key": "o1", "text": "非常满意"},
    {"key": "o2", "text": "比较满意"},
    {"key": "o3", "text": "一般"},
    {"key": "o4", "text": "不太满意"},
    {"key": "o5", "text": "很不满意"},
]

QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "q1",
        "type": "single",
        "section": "一、收入与权益",
        "text": "您对目前的工资收入水平满意吗？",
        "required": True,
        "options": SATISFACTION,
    },
    {
        "key": "q2",
        "type": "single",
        "section": "一、收入与权益",
        "text": "过去一年，您所在单位是否按时足额发放工资？",
        "required": True,
        "options": [
            {"key": "o1", "text": "是"},
            {"key": "o2", "text": "偶有拖欠"},
            {"key": "o3", "text": "经常拖欠"},
        ],
    },
    {
        "key": "q3",
        "type": "open",
        "section": "一、收入与权益",
        "text": "拖欠工资的情况是怎样的？（选填）",
        "show_if": {"question": "q2", "in": ["o2", "o3"]},
    },
    {
        "key": "q4",
        "type": "multiple",
        "section": "二、工作与发展",
        "text": "您目前最关心的问题是？（可多选）",
        "options": [
            {"key": "o1", "text": "工资收入"},
            {"key": "o2", "text": "劳动安全"},
            {"key": "o3", "text": "技能培训"},
            {"key": "o4", "text": "职业晋升"},
            {"key": "o5", "text": "住房"},
            {"key": "o6", "text": "子女教育"},
        ],
    },
    {
        "key": "q5",
        "type": "scale",
        "section": "二、工作与发展",
        "text": "您感到的工作压力有多大？",
        "low": "很小",
        "high": "很大",
        "required": True,
    },
    {
        "key": "q6",
        "type": "matrix",
        "section": "二、工作与发展",
        "text": "请为以下方面打分（1 很差，5 很好）",
        "rows": [
            {"key": "r1", "text": "劳动条件"},
            {"key": "r2", "text": "技能晋升通道"},
            {"key": "r3", "text": "职工食堂"},
        ],
    },
    {
        "key": "q7",
        "type": "ranking",
        "section": "三、工会工作",
        "text": "请按重要程度为工会以下工作排序",
        "options": [
            {"key": "o1", "text": "维权服务"},
            {"key": "o2", "text": "技能竞赛"},
            {"key": "o3", "text": "困难帮扶"},
            {"key": "o4", "text": "文体活动"},
        ],
    },
    {
        "key": "q8",
        "type": "single",
        "section": "三、工会工作",
        "text": "您对所在单位工会工作的总体评价？",
        "required": True,
        "options": SATISFACTION,
    },
    {
        "key": "q9",
        "type": "open",
        "section": "三、工会工作",
        "text": "您对工会工作还有哪些意见建议？",
    },
]

TITLES = ("2025年江苏省职工思想状况调查", "2026年江苏省职工思想状况调查")
OPEN_TEXTS = ["加班较多，希望落实调休", "食堂价格偏高", "希望多组织技能培训", "宿舍条件有待改善"]


def _answers(rng: random.Random, tilt: float) -> dict[str, Any]:
    """Plausible answers; ``tilt`` shifts satisfaction (the 2026 round a little better)."""

    def sat() -> str:
        return rng.choices(
            ["o1", "o2", "o3", "o4", "o5"], weights=[20 + tilt, 35 + tilt, 25, 12 - tilt / 2, 8]
        )[0]

    out: dict[str, Any] = {
        "q1": sat(),
        "q2": rng.choices(["o1", "o2", "o3"], weights=[88, 9, 3])[0],
        "q4": sorted(rng.sample(["o1", "o2", "o3", "o4", "o5", "o6"], rng.randint(1, 3))),
        "q5": str(rng.choices([1, 2, 3, 4, 5], weights=[8, 17, 40, 25, 10])[0]),
        "q6": {r: str(rng.randint(2, 5)) for r in ("r1", "r2", "r3")},
        "q7": rng.sample(["o1", "o2", "o3", "o4"], 4),
        "q8": sat(),
    }
    if out["q2"] != "o1" and rng.random() < 0.6:
        out["q3"] = "春节前后工资推迟发放半个月"
    if rng.random() < 0.15:
        out["q9"] = rng.choice(OPEN_TEXTS)
    return out


def _round(
    ctx: Any,
    *,
    title: str,
    previous: Survey | None,
    margin: str,
    answered_share: float,
    tilt: float,
    seed: int,
    close: bool,
) -> Survey:
    officer, admin = ctx.users["js_officer"], ctx.users["js_admin"]
    survey = services.survey_create(
        actor=officer,
        organization=ctx.province,
        title=title,
        description="本调查匿名进行：答卷与姓名分开保存，只显示不少于10人的群体的汇总结果。",
        previous=previous,
        questions=QUESTIONS,
    )
    services.survey_publish(actor=admin, survey=survey)
    services.survey_distribute(
        actor=officer,
        survey=survey,
        audience=ctx.province,
        mode=Survey.Mode.SAMPLE,
        strata=["region", "age_band"],
        margin=Decimal(margin),
        response_rate=Decimal("0.8"),
        rng=random.Random(seed),
    )
    pz_worker = Worker.objects.filter(user=ctx.users.get("pz_worker")).first()
    if pz_worker is not None and not close:
        Invitation.objects.get_or_create(
            survey=survey, worker=pz_worker, defaults={"organization_id": pz_worker.organization_id}
        )
    rng = random.Random(seed)
    pending = Invitation.objects.filter(survey=survey)
    if pz_worker is not None:
        pending = pending.exclude(worker=pz_worker)  # left for the demo login to answer
    invited = list(pending.values_list("pk", "worker_id"))
    chosen = rng.sample(invited, int(len(invited) * answered_share))
    today = timezone.localdate()
    rows = {
        r[0]: r
        for r in Worker.objects.filter(pk__in=[w for _i, w in chosen]).values_list(*WORKER_COLUMNS)
    }
    questions = survey.published_version().questions
    Response.objects.bulk_create(
        (
            Response(
                survey=survey,
                version=1,
                organization_id=rows[w][1],
                answers=clean_answers(questions, _answers(rng, tilt)),
                **strata_of(rows[w], today),
            )
            for _i, w in sorted(chosen, key=lambda _: rng.random())  # no order to join on
        ),
        batch_size=1000,
    )
    Invitation.objects.filter(pk__in=[i for i, _w in chosen]).update(completed_on=today)
    rollups.rebuild(survey)
    if close:
        services.survey_close(actor=officer, survey=survey)
    return survey


def load(ctx: Any, stdout: Any) -> None:
    if Survey.objects.filter(organization=ctx.province, title=TITLES[1]).exists():
        stdout.write("  surveys: already loaded\n")
        return
    started = time.monotonic()
    with transaction.atomic():
        before = _round(
            ctx,
            title=TITLES[0],
            previous=None,
            margin="0.025",
            answered_share=0.78,
            tilt=0,
            seed=2025,
            close=True,
        )
        now = _round(
            ctx,
            title=TITLES[1],
            previous=before,
            margin="0.02",
            answered_share=0.7,
            tilt=6,
            seed=2026,
            close=False,
        )
    answers = Response.objects.filter(survey__in=[before, now]).count()
    stdout.write(
        f"  surveys: 2 rounds, {answers} answers in {time.monotonic() - started:.1f} s "
        f"(js_officer edits, js_admin publishes; pz_worker has one to answer)\n"
    )
