"""Benchmark of the new-style apprenticeship at the national pilot's scale (issue #17: 22 provinces,
158 pilot enterprises, about 20,000 apprentices): the dashboard and the claims report for a national
officer (selector and API), drawing up one cohort's claim, and enrolling an apprentice (the mentor's
lock included). PostgreSQL, in a database of its own:

    createdb gj_bench_appr && DATABASE_URL=postgres://postgres@127.0.0.1:5432/gj_bench_appr \\
        .venv/bin/gongjiang migrate && DATABASE_URL=… .venv/bin/python bench/careers_apprenticeship.py

The first run generates the registry (workers of 22 provinces, COPY) and the apprenticeship rows
(bulk); later runs reuse them.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workforce_analytics_common import machine, median_ms, setup, with_analyze  # noqa: E402

PROVINCES = 22
PILOTS = 158
APPRENTICES = 20_000
WORKERS_PER_PROVINCE = 5_000


def _registry() -> None:
    from gongjiang.core.models import Organization, Region
    from gongjiang.workforce.generate.workers import generate_workers

    provinces = list(Region.objects.filter(level="province").order_by("code")[:PROVINCES])
    for n, region in enumerate(provinces):
        have = Organization.objects.filter(kind="provincial", region=region).exists()
        if have:
            continue
        print(f"\r  registry: province {n + 1}/{len(provinces)}", end="", flush=True)
        generate_workers(
            count=WORKERS_PER_PROVINCE, province=region.code, seed=n + 1, rebuild=False
        )
    print()


def _apprenticeship(officer: Any) -> None:
    from gongjiang.careers import apprenticeship as svc
    from gongjiang.careers.models_apprentice import (
        Apprentice,
        ApprenticeCohort,
        ApprenticePilot,
        ApprenticeSubsidyClaim,
        ApprenticeSubsidyLine,
    )
    from gongjiang.core.models import Organization
    from gongjiang.workforce.models import Worker

    if ApprenticePilot.objects.exists():
        return
    rng = random.Random(17)
    enterprises = list(Organization.objects.filter(kind="enterprise").order_by("path"))
    rng.shuffle(enterprises)
    pilots = []
    for ent in sorted(enterprises[:PILOTS], key=lambda o: o.path):
        pilot = ApprenticePilot.objects.filter(organization=ent).first() or (
            svc.apprentice_pilot_create(actor=officer, organization=ent, since=dt.date(2022, 1, 1))
        )
        pilots.append(pilot)
    institutions = {}
    for province in Organization.objects.filter(kind="provincial"):
        institutions[province.path] = svc.training_institution_create(
            actor=officer, organization=province, name="省技师学院", kind="technical"
        )
    cohorts = []
    for pilot in pilots:
        institution = institutions[pilot.organization.path[: 2 * Organization.SEGMENT]]
        for year, level in ((2024, "SENIOR"), (2025, "INTERMEDIATE")):
            cohorts.append(
                ApprenticeCohort(
                    pilot=pilot,
                    institution=institution,
                    name=f"{year}级学徒班",
                    occupation_id="6-18-02-04",
                    level_id=level,
                    year=year,
                )
            )
    ApprenticeCohort.objects.bulk_create(cohorts)
    per_cohort = APPRENTICES // len(cohorts) * 3 // 2  # large pilots make up for small ones
    rows: list[Apprentice] = []
    used: set[int] = set()
    for cohort in cohorts:
        workers = list(
            Worker.objects.filter(
                organization__path__startswith=cohort.pilot.organization.path, status="active"
            )
            .exclude(pk__in=used)
            .order_by("id")
            .values_list("pk", "skill_level__rank")[: 2 * per_cohort + 20]
        )
        mentors = [pk for pk, rank in workers if (rank or 0) >= 4] or [workers[0][0]]
        start = dt.date(cohort.year, 3, 1)
        trainees = [pk for pk, rank in workers if pk not in mentors][:per_cohort]
        for k, pk in enumerate(trainees):
            if len(rows) >= APPRENTICES:
                break
            used.add(pk)
            status = rng.choices(["training", "completed", "terminated"], [5, 4, 1])[0]
            if cohort.year == 2025:
                status = "training"
            rows.append(
                Apprentice(
                    cohort=cohort,
                    worker_id=pk,
                    origin="new_hire",
                    signed_on=start,
                    contract_months=36,
                    starts_on=start,
                    ends_on=dt.date(cohort.year + 2, 2, 28),
                    mentor_id=mentors[k % len(mentors)],
                    teacher_name="王老师",
                    status=status,
                    ended_on=dt.date(cohort.year + 1, 6, 30) if status != "training" else None,
                )
            )
    Apprentice.objects.bulk_create(rows, batch_size=5000)
    claims, lines = [], []
    by_cohort: dict[int, list[Apprentice]] = {}
    for a in rows:
        by_cohort.setdefault(a.cohort_id, []).append(a)
    for cohort in cohorts:
        members = by_cohort.get(cohort.pk, [])
        if not members:
            continue
        claim = ApprenticeSubsidyClaim(
            cohort=cohort,
            year=cohort.year,
            rate=Decimal("5000.00"),
            total=Decimal("4166.67") * len(members),
            status=rng.choice(["submitted", "approved", "paid"]),
            required_documents="agreement,contract,plan,roster",
        )
        claims.append((claim, members))
    ApprenticeSubsidyClaim.objects.bulk_create([c for c, _m in claims])
    for claim, members in claims:
        lines += [
            ApprenticeSubsidyLine(claim=claim, apprentice=a, months=10, amount=Decimal("4166.67"))
            for a in members
        ]
    ApprenticeSubsidyLine.objects.bulk_create(lines, batch_size=5000)
    print(
        f"  apprenticeship: {len(pilots)} pilots, {len(cohorts)} cohorts, {len(rows):,} apprentices"
    )


def main() -> None:
    setup([], None)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from gongjiang.careers import apprenticeship as svc
    from gongjiang.careers import apprenticeship_selectors as sel
    from gongjiang.careers.models_apprentice import Apprentice, ApprenticeCohort
    from gongjiang.core.models import Membership, Organization
    from gongjiang.workforce.models import Worker

    _registry()
    national = Organization.objects.get(kind="national")
    officer, _ = get_user_model().objects.get_or_create(username="bench_national_officer")
    Membership.objects.get_or_create(user=officer, organization=national, role="officer")
    _apprenticeship(officer)
    with_analyze()
    total = Apprentice.objects.count()
    print(machine())
    print(f"{total:,} apprentices, {ApprenticeCohort.objects.count()} cohorts")
    dashboard = median_ms(lambda: sel.dashboard(officer), 21)
    report = median_ms(lambda: sel.report(officer, 2024), 21)
    client = Client()
    client.force_login(officer)
    api = median_ms(lambda: client.get("/api/v1/careers/apprenticeship/dashboard"), 21)
    page = median_ms(lambda: client.get("/careers/apprenticeship/dashboard/"), 21)
    print(f"dashboard (selector, national scope): median {dashboard:.1f} ms")
    print(f"GET /api/v1/careers/apprenticeship/dashboard: median {api:.1f} ms")
    print(f"GET /careers/apprenticeship/dashboard/ (page): median {page:.1f} ms")
    print(f"claims report 2024 (selector): median {report:.1f} ms")
    # drawing up one cohort's claim (a rejected one is removed after, so the year stays free)
    cohort = ApprenticeCohort.objects.filter(year=2025).order_by("id").first()
    hr_times = []
    for _ in range(5):
        started = time.perf_counter()
        claim = svc.apprentice_claim_create(actor=officer, cohort=cohort, year=2026)
        hr_times.append((time.perf_counter() - started) * 1000)
        claim.lines.all().delete()
        claim.delete()
    print(
        f"claim for a cohort of {cohort.apprentices.count()}: median {sorted(hr_times)[2]:.1f} ms"
    )
    # enrolling an apprentice with the mentor's lock (a fresh mentor and cohort each time)
    pilot = cohort.pilot
    free = list(
        Worker.objects.filter(
            organization__path__startswith=pilot.organization.path, status="active"
        )
        .exclude(apprenticeships__isnull=False)
        .exclude(apprentices_mentored__isnull=False)
        .order_by("id")[:12]
    )
    mentors = list(
        Worker.objects.filter(
            organization__path__startswith=pilot.organization.path,
            status="active",
            skill_level__rank__gte=4,
        ).order_by("-id")[:6]
    )
    enrol_times = []
    for worker, mentor in zip(free, mentors * 2, strict=False):
        started = time.perf_counter()
        try:
            a = svc.apprentice_enrol(
                actor=officer,
                cohort=cohort,
                worker=worker,
                origin="new_hire",
                signed_on=dt.date(2026, 3, 1),
                contract_months=36,
                starts_on=dt.date(2026, 3, 1),
                ends_on=dt.date(2027, 2, 28),
                mentor=mentor,
                teacher_name="王老师",
            )
        except Exception as exc:  # noqa: BLE001 - a full mentor: skip it
            print(f"  (skipped: {exc})")
            continue
        enrol_times.append((time.perf_counter() - started) * 1000)
        Apprentice.objects.filter(pk=a.pk).delete()
    if enrol_times:
        enrol_times.sort()
        print(f"enrol an apprentice: median {enrol_times[len(enrol_times) // 2]:.1f} ms")


if __name__ == "__main__":
    main()
