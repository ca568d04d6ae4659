"""The demo data set of the spine: a real province (江苏省) with three real cities, about twenty
enterprises in real industries with workshops and teams, a second province (浙江省) to show that
scopes do not leak, and one login per role at province, city and enterprise level.

Idempotent: organisations are found by name under their parent, users by user name.
Other apps add their part with ``gongjiang.<app>.demo.load(ctx, stdout)``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Membership, Organization
from .services import organization_create
from .validators import uscc_with_check

DEMO_PASSWORD = "Gongjiang-2026!"

# (name, region, industry GB/T 4754 class, short name, teams)
ENTERPRISES: dict[str, list[tuple[str, str, str, str, list[str]]]] = {
    "320100": [  # 南京市
        (
            "南京浦镇轨道交通装备有限公司",
            "320111",
            "3711",
            "浦镇轨交",
            ["转向架车间", "总装车间", "焊接班组"],
        ),
        ("南京钢联特钢有限公司", "320116", "3120", "钢联特钢", ["炼钢车间", "轧钢车间"]),
        ("南京电力设备制造有限公司", "320115", "3821", "南电设备", ["变压器车间", "试验班组"]),
        ("南京石化检修工程有限公司", "320116", "2511", "石化检修", ["仪表班组", "钳工班组"]),
        ("南京汽车零部件有限公司", "320115", "3670", "南汽零部件", ["冲压车间", "涂装车间"]),
        ("南京地铁运营维保有限公司", "320104", "5411", "地铁维保", ["车辆检修班组"]),
        (
            "南京建工集团第三工程有限公司",
            "320105",
            "4790",
            "南京建工三公司",
            ["砌筑班组", "钢筋班组"],
        ),
    ],
    "320500": [  # 苏州市
        ("苏州精密数控机床有限公司", "320506", "3421", "精密数控", ["数控车间", "装调班组"]),
        ("苏州电子信息制造有限公司", "320505", "3971", "苏电信息", ["SMT车间", "测试班组"]),
        ("苏州纺织印染有限公司", "320509", "1713", "苏纺印染", ["印染车间"]),
        ("苏州生物医药有限公司", "320506", "2720", "苏州生药", ["制剂车间", "质检班组"]),
        ("苏州网络安全技术有限公司", "320505", "6520", "苏网安", ["安全运维班组"]),
        ("苏州工业园区物流有限公司", "320506", "5821", "园区物流", ["仓储班组"]),
        ("昆山焊接装备有限公司", "320583", "3424", "昆山焊装", ["焊接车间"]),
    ],
    "320400": [  # 常州市
        ("常州轨道车辆牵引系统有限公司", "320411", "3716", "常州牵引", ["电机车间", "调试班组"]),
        ("常州工程机械有限公司", "320412", "3511", "常州工机", ["结构件车间", "装配车间"]),
        ("常州新能源电池有限公司", "320413", "3841", "常州电池", ["电芯车间"]),
        ("常州纺织机械有限公司", "320402", "3551", "常纺机", ["机加工车间"]),
        ("常州供电工程有限公司", "320411", "4420", "常州供电工程", ["输电班组"]),
        ("溧阳建材有限公司", "320481", "3011", "溧阳建材", ["水泥车间"]),
    ],
}
CITIES = [("南京市总工会", "320100"), ("苏州市总工会", "320500"), ("常州市总工会", "320400")]


@dataclass
class DemoContext:
    national: Organization
    province: Organization
    cities: list[Organization]
    enterprises: list[Organization]
    other_province: Organization
    other_enterprises: list[Organization]
    users: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _system_user() -> Any:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username="sysadmin",
        defaults={"first_name": "系统管理员", "is_superuser": True, "is_staff": True},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _org(
    actor: Any, parent: Organization | None, name: str, kind: str, region: str, **extra: Any
) -> Organization:
    existing = Organization.objects.filter(parent=parent, name=name).first()
    if existing:
        return existing
    return organization_create(
        actor=actor, parent=parent, name=name, kind=kind, region=region, **extra
    )


def _uscc(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()
    digits = "".join(str(int(c, 16) % 10) for c in digest)
    body = "91" + "320000" + digits[:9]  # 91 = enterprise; region; 9-character organisation code
    body = body[:8] + body[8:].upper()
    from stdnum.cn import uscc as stdnum_uscc

    org_code = body[8:16]
    # the 9th character of the organisation code is its own check character (GB 11714)
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(org_code, weights, strict=True))
    check = 11 - total % 11
    org_check = {10: "X", 11: "0"}.get(check, str(check))
    first17 = body[:16] + org_check
    full = uscc_with_check(first17)
    stdnum_uscc.validate(full)
    return full


def _user(username: str, full_name: str) -> Any:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": full_name}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


ROLE_NAMES = {
    "admin": "管理员",
    "officer": "干部",
    "trainer": "培训师",
    "judge": "裁判",
    "inspector": "督查员",
    "worker": "职工",
    "assistance": "帮扶干事",
    "committee": "提案委员",
    "hr": "人事专员",
}


@transaction.atomic
def load_core_demo() -> DemoContext:
    from .models import Region
    from .refdata import load_reference_data

    if not Region.objects.filter(code="320000").exists():  # e.g. after a flush in tests
        load_reference_data()
    system = _system_user()
    national = _org(system, None, "中华全国总工会", "national", "110000")
    province = _org(system, national, "江苏省总工会", "provincial", "320000")
    cities = [_org(system, province, name, "city", code) for name, code in CITIES]
    enterprises: list[Organization] = []
    for city in cities:
        for name, region, industry, short, teams in ENTERPRISES[city.region_id]:
            ent = _org(
                system,
                city,
                name + "工会",
                "enterprise",
                region,
                industry=industry,
                short_name=short,
                uscc=_uscc(name),
            )
            enterprises.append(ent)
            for team in teams:
                _org(system, ent, team, "team", region)
    other = _org(system, national, "浙江省总工会", "provincial", "330000")
    hangzhou = _org(system, other, "杭州市总工会", "city", "330100")
    other_ents = [
        _org(
            system,
            hangzhou,
            "杭州汽轮动力有限公司工会",
            "enterprise",
            "330105",
            industry="3411",
            short_name="杭汽动力",
            uscc=_uscc("杭州汽轮动力"),
        ),
        _org(
            system,
            hangzhou,
            "杭州数字安防有限公司工会",
            "enterprise",
            "330108",
            industry="3979",
            short_name="杭州安防",
            uscc=_uscc("杭州数字安防"),
        ),
    ]
    ctx = DemoContext(national, province, cities, enterprises, other, other_ents)
    ctx.users["sysadmin"] = system
    ctx.logins.append(("sysadmin", "系统管理员（全部组织）", DEMO_PASSWORD))
    levels = [
        ("js", province, "江苏省总工会"),
        ("nj", cities[0], "南京市总工会"),
        ("pz", enterprises[0], "南京浦镇轨交工会"),
    ]
    for prefix, org, label in levels:
        for role, role_name in ROLE_NAMES.items():
            username = f"{prefix}_{role}"
            user = _user(username, f"{label}{role_name}")
            Membership.objects.get_or_create(user=user, organization=org, role=role)
            ctx.users[username] = user
            ctx.logins.append((username, f"{label} · {role_name}", DEMO_PASSWORD))
    zj = _user("zj_officer", "浙江省总工会干部")
    Membership.objects.get_or_create(user=zj, organization=other, role="officer")
    ctx.users["zj_officer"] = zj
    ctx.logins.append(("zj_officer", "浙江省总工会 · 干部", DEMO_PASSWORD))
    return ctx
