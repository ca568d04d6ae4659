"""Demo data: two enterprises' congresses (delegates by workshop, a session with agenda, votes and
resolutions, a session in progress), 40 proposals in every state, the direct channel and open
affairs. Idempotent: an enterprise that already has a term is left as it is."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongjiang.core.demo import DemoContext
from gongjiang.workforce.models import Worker

from . import rules as R
from . import services
from . import services_affairs as A
from .models import (
    Attendance,
    Choice,
    Delegate,
    OpenBallot,
    SecretParticipation,
    SecretTally,
    Term,
    Vote,
)
from .models_proposals import CoSignature, Department, Proposal, ProposalReply, Suggestion

TITLES = [
    ("wages", "提高一线岗位夜班津贴标准"),
    ("wages", "建立技能等级与薪酬挂钩机制"),
    ("safety", "焊接车间增设局部排风装置"),
    ("safety", "高温季节调整户外作业时间"),
    ("training", "为青年职工开设数控编程夜校"),
    ("training", "设立首席技师工作室"),
    ("welfare", "改善职工食堂菜品和价格"),
    ("welfare", "增设母婴室和女职工休息室"),
    ("management", "完善班组民主管理制度"),
    ("management", "推行合理化建议积分奖励"),
]
# 40 proposals: how many end in each state
STATES = (
    ["draft"] * 3
    + ["submitted"] * 4
    + ["merged"] * 2
    + ["converted"] * 2
    + ["accepted"] * 3
    + ["assigned"] * 6
    + ["replied"] * 5
    + ["rated"] * 5
    + ["closed"] * 10
)


def _seat_delegates(actor: Any, term: Term, workers: list[Worker], must: list[Worker]) -> None:
    rules = R.rules_for(term.organization)
    need = R.required_delegates(len(workers), rules)
    women = [w for w in workers if w.gender == "F"]
    dispatched = [w for w in workers if w.employment_type == "dispatched"]
    chosen: list[Worker] = []
    for w in must + women[: max(3, need // 3)] + dispatched[:2] + workers:
        if w not in chosen:
            chosen.append(w)
        if len(chosen) >= need + 2:
            break
    teams: dict[Any, Any] = {}
    managers = int(len(chosen) * rules.max_management_share)
    for i, w in enumerate(chosen):
        key = w.team_id
        if key not in teams:
            name = w.team.name if w.team_id else "机关代表团"
            teams[key] = services.delegation_create(
                actor=actor, term=term, name=f"{name}代表团"[:100], team=w.team
            )
        category = (
            "management"
            if i >= len(chosen) - managers
            else ("technical" if i % 5 == 0 else "worker")
        )
        services.delegate_add(
            actor=actor,
            delegation=teams[key],
            worker=w,
            category=category,
            elected_on=term.starts_on,
        )


def _documents(actor: Any, agenda: list[Any]) -> None:
    """Each agenda item's draft as an attached document (the clerk's upload, checked and
    stored encrypted like any other)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .services_documents import agenda_document_add

    for item in agenda:
        name = item.title.replace("《", "").replace("》", "")
        text = f"{item.title}\n\n{item.document}\n".encode()
        agenda_document_add(actor=actor, item=item, upload=SimpleUploadedFile(f"{name}.txt", text))


def _close_vote(
    vote: Vote, seats: list[Delegate], rng: random.Random, weights: tuple[int, int, int]
) -> None:
    # the counts follow the weights exactly (the demo's outcomes never depend on the draw: with 90 %
    # present and at least 80 % of them for, every vote passes); who chose what is shuffled
    n = len(seats)
    n_for, n_against = n * weights[0] // 100, n * weights[1] // 100
    choices = (
        [Choice.values[0]] * n_for
        + [Choice.values[1]] * n_against
        + [Choice.values[2]] * (n - n_for - n_against)
    )
    rng.shuffle(choices)
    if vote.secret:
        SecretParticipation.objects.bulk_create(
            [SecretParticipation(vote=vote, delegate=d) for d in seats]
        )
        for c in Choice.values:
            SecretTally.objects.filter(vote=vote, choice=c).update(count=choices.count(c))
    else:
        OpenBallot.objects.bulk_create(
            [
                OpenBallot(vote=vote, delegate=d, choice=c)
                for d, c in zip(seats, choices, strict=True)
            ]
        )


def _proposals(
    term: Term,
    seats: list[Delegate],
    depts: list[Department],
    session: Any,
    rng: random.Random,
    committee: Any,
    n: int,
) -> None:
    now = timezone.now()
    for i, state in enumerate(STATES[:n]):
        category, title = TITLES[i % len(TITLES)]
        proposer = seats[i % len(seats)]
        submitted_at = now - dt.timedelta(days=120 - i)
        p = Proposal.objects.create(
            organization=term.organization,
            term=term,
            session=session if i % 2 else None,
            number="" if state == "draft" else f"{submitted_at.year}-{i + 1:03d}",
            proposer=proposer,
            title=title if i < len(TITLES) else f"{title}（{i // len(TITLES) + 1}）",
            reasons="职工代表在调研中发现，相关问题影响职工切身利益。",
            measures="建议行政相关部门研究制定具体措施，并在规定期限内答复。",
            category=category,
            status=state,
            submitted_at=None if state == "draft" else submitted_at,
        )
        signers = [s for s in seats if s.pk != proposer.pk]
        CoSignature.objects.bulk_create(
            [
                CoSignature(proposal=p, delegate=d)
                for d in rng.sample(signers, 1 if state == "draft" else 2)
            ]
        )
        if state in ("draft", "submitted"):
            continue
        p.decided_at = submitted_at + dt.timedelta(days=5)
        p.decided_by = committee
        if state == "merged":
            p.merged_into = (
                Proposal.objects.filter(term=term, status="closed").first()
                or Proposal.objects.filter(term=term).exclude(pk=p.pk).first()
            )
            p.decision_reason = "与同类提案合并办理"
        elif state == "converted":
            p.decision_reason = "属日常管理事项，转为意见建议办理"
            if proposer.worker.user_id:
                Suggestion.objects.create(
                    organization=term.organization,
                    author=proposer.worker.user,
                    title=p.title,
                    body=p.reasons,
                    category=category,
                    from_proposal=p,
                )
        if state not in ("merged", "converted", "accepted"):
            lead = depts[i % len(depts)]
            p.lead_department = lead
            p.assigned_at = p.decided_at
            p.reply_due = (p.assigned_at + dt.timedelta(days=30)).date()
            p.reply_round = 1
            if state != "assigned":
                replied = p.assigned_at + dt.timedelta(
                    days=rng.randint(5, 40), hours=rng.randint(0, 8)
                )
                p.first_replied_at = replied
                rating = (
                    ""
                    if state == "replied"
                    else rng.choice(["satisfied", "satisfied", "basic", "not"])
                )
                reply = ProposalReply.objects.create(
                    proposal=p,
                    round=1,
                    department=lead,
                    outcome=rng.choice(["adopted", "partly", "planned"]),
                    text="经研究，已纳入本年度工作计划，具体措施如下……",
                    plan_date=(replied + dt.timedelta(days=90)).date(),
                    rating=rating,
                    rated_at=replied + dt.timedelta(days=3) if rating else None,
                )
                ProposalReply.objects.filter(pk=reply.pk).update(replied_at=replied)
                p.rating = rating
                if state == "closed":
                    p.closed_at = replied + dt.timedelta(days=60)
                    p.closed_by = committee
        p.save()
        if state == "assigned" and len(depts) > 1:
            p.cooperating_departments.set([d for d in depts if d.pk != p.lead_department_id][:1])


def _enterprise(ctx: DemoContext, org: Any, index: int, stdout: Any) -> None:
    actor = ctx.users["sysadmin"]
    if Term.objects.filter(organization=org).exists():
        return
    rng = random.Random(f"congress-{org.code}")
    workers = list(
        Worker.objects.filter(organization__path__startswith=org.path, status="active")
        .select_related("team", "user")
        .order_by("id")
    )
    if len(workers) < 10:
        stdout.write(f"    {org.name}: too few workers for a congress, skipped")
        return
    today = timezone.localdate()
    start = dt.date(today.year - 1, 3, 1)
    kind = (
        "congress" if len(workers) >= R.rules_for(org).assembly_below or index == 0 else "assembly"
    )
    term = services.term_create(
        actor=actor,
        organization=org,
        number=3,
        starts_on=start,
        ends_on=start.replace(year=start.year + 4),
        kind=kind,
    )
    must = [w for w in workers if w.user_id]
    _seat_delegates(actor, term, workers, must)
    term = services.term_finalise(actor=actor, term=term)
    seats = list(Delegate.objects.filter(term=term, active=True).select_related("worker"))
    held = services.session_create(
        actor=actor,
        term=term,
        number=1,
        title=f"第三届职工代表大会第{index + 1}次会议",
        held_on=today - dt.timedelta(days=150),
        place="职工活动中心",
        proposals_from=today - dt.timedelta(days=180),
        proposals_until=today - dt.timedelta(days=151),
    )
    items = [
        ("report", "总经理工作报告"),
        ("regulation", "《工资支付管理规定》（草案）"),
        ("regulation", "《劳动用工管理办法》（草案）"),
        ("contract", "集体合同（2026—2028年）"),
    ]
    agenda = [
        services.agenda_add(actor=actor, session=held, kind=k, title=t, document=f"{t}全文……")
        for k, t in items
    ]
    _documents(actor, agenda)
    services.session_set_status(actor=actor, session=held, status="open")
    present = seats[: max(1, len(seats) * 9 // 10)]
    Attendance.objects.bulk_create(
        [
            Attendance(session=held, delegate=d, method="qr" if i % 3 else "clerk")
            for i, d in enumerate(present)
        ]
    )
    for item, secret, weights in (
        (agenda[1], False, (90, 6, 4)),
        (agenda[2], False, (85, 10, 5)),
        (agenda[3], True, (80, 12, 8)),
    ):
        vote = services.vote_create(
            actor=actor, session=held, title=f"表决{item.title}", secret=secret, agenda_item=item
        )
        services.vote_open(actor=actor, vote=vote)
        _close_vote(vote, present, rng, weights)
        vote = services.vote_close(actor=actor, vote=vote)
        if services.vote_result(vote)["passed"]:
            resolution = services.resolution_record(
                actor=actor,
                session=held,
                vote=vote,
                title=f"关于通过{item.title.replace('（草案）', '')}的决议",
                text=f"{held.title}审议通过{item.title.replace('（草案）', '')}，自公布之日起施行。",
            )
            A.notice_publish(
                actor=actor,
                organization=org,
                kind="resolution",
                title=resolution.title,
                body=resolution.text,
                resolution=resolution,
            )
    services.session_set_status(
        actor=actor,
        session=held,
        status="closed",
        minutes="会议应到代表全部……，实到……，符合法定人数。",
    )
    current = services.session_create(
        actor=actor,
        term=term,
        number=2,
        title=f"第三届职工代表大会第{index + 2}次会议",
        held_on=today,
        place="职工活动中心",
    )
    services.agenda_add(
        actor=actor, session=current, kind="wage_plan", title="2026年度工资分配方案"
    )
    services.session_set_status(actor=actor, session=current, status="open")
    Attendance.objects.bulk_create(
        [Attendance(session=current, delegate=d, method="qr") for d in seats if d.worker.user_id]
    )
    vote = services.vote_create(
        actor=actor, session=current, title="表决2026年度工资分配方案", secret=True
    )
    services.vote_open(actor=actor, vote=vote)
    hr = ctx.users.get("pz_hr") if index == 0 else None
    depts = [
        services_department(actor, org, "人力资源部", [hr] if hr else []),
        services_department(actor, org, "安全环保部", []),
        services_department(actor, org, "综合管理部", []),
    ]
    committee = ctx.users.get("pz_committee")
    _proposals(term, seats, depts, held, rng, committee, 40 if index == 0 else 12)
    worker = ctx.users.get("pz_worker")
    if index == 0 and worker is not None:
        Suggestion.objects.create(
            organization=org,
            author=worker,
            title="希望延长职工书屋开放时间",
            body="倒班职工下班后书屋已关门。",
            category="welfare",
        )
    stdout.write(
        f"    {org.name}: {len(seats)} delegates, {Proposal.objects.filter(term=term).count()} proposals"
    )


def services_department(actor: Any, org: Any, name: str, responders: list[Any]) -> Department:
    from .services_proposals import department_create

    return department_create(actor=actor, organization=org, name=name, responders=responders)


def load(ctx: DemoContext, stdout: Any) -> None:
    with transaction.atomic():
        for index, org in enumerate(ctx.enterprises[:2]):
            _enterprise(ctx, org, index, stdout)
    stdout.write("  congress: two congresses, sessions, votes, resolutions, proposals, notices")
