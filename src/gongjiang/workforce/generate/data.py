"""Reference tables of the synthetic-data generator (:mod:`gongjiang.workforce.generate.workers`):
skill-level, employment and gender mixes by kind of industry, the GB/T 4754 → 职业分类大典 mapping,
names, honours and the enterprises created when a province has none."""

from __future__ import annotations

LEVELS = (
    None,
    "APPRENTICE",
    "JUNIOR",
    "INTERMEDIATE",
    "SENIOR",
    "TECHNICIAN",
    "SENIOR_TECHNICIAN",
    "PRINCIPAL_TECHNICIAN",
    "CHIEF_TECHNICIAN",
)
# skill-level mixes (index as LEVELS); "rail" is 62 % 高级工 and above
MIXES = {
    "rail": (0.03, 0.02, 0.10, 0.23, 0.38, 0.17, 0.06, 0.007, 0.003),
    "advanced": (0.08, 0.04, 0.22, 0.30, 0.24, 0.09, 0.025, 0.003, 0.002),
    "industry": (0.12, 0.05, 0.30, 0.30, 0.17, 0.05, 0.01, 0.0, 0.0),
    "construction": (0.30, 0.05, 0.35, 0.20, 0.08, 0.02, 0.0, 0.0, 0.0),
    "services": (0.40, 0.04, 0.30, 0.18, 0.06, 0.015, 0.005, 0.0, 0.0),
}
EMPLOYMENT = ("contract", "dispatched", "migrant", "other")
EMPLOYMENT_MIX = {
    "construction": (0.35, 0.10, 0.50, 0.05),
    "services": (0.70, 0.15, 0.10, 0.05),
    "default": (0.78, 0.12, 0.08, 0.02),
}
MALE_SHARE = {"construction": 0.86, "services": 0.48, "default": 0.66}
# GB/T 4754 manufacturing division → 职业分类大典 medium group of its production workers
MANUFACTURING = {
    13: "6-01",
    14: "6-02",
    15: "6-02",
    16: "6-03",
    17: "6-04",
    18: "6-05",
    19: "6-05",
    20: "6-06",
    21: "6-06",
    22: "6-07",
    23: "6-08",
    24: "6-09",
    25: "6-10",
    26: "6-11",
    27: "6-12",
    28: "6-13",
    29: "6-14",
    30: "6-15",
    31: "6-17",
    32: "6-17",
    33: "6-19",
    34: "6-20",
    35: "6-21",
    36: "6-22",
    37: "6-23",
    38: "6-24",
    39: "6-25",
    40: "6-26",
    41: "6-99",
    42: "6-27",
    43: "6-31",
}
SECTIONS = {
    "A": ("5-01", "5-03", "5-05"),
    "B": ("6-16",),
    "D": ("6-28",),
    "E": ("6-29", "6-30"),
    "F": ("4-01",),
    "G": ("4-02", "6-30"),
    "H": ("4-03",),
    "I": ("4-04", "2-02"),
    "J": ("4-05",),
    "K": ("4-06",),
    "L": ("4-07",),
    "M": ("2-02", "4-08"),
    "N": ("4-09",),
    "O": ("4-10", "4-12"),
    "P": ("2-08", "4-13"),
    "Q": ("2-05", "4-14"),
    "R": ("4-13", "2-09"),
    "S": ("3-01",),
}
ADVANCED = {34, 35, 36, 38, 39, 40}
# (surname, weight ‰) — the commonest surnames, 曾 and 单 with their surname readings, compound ones rare
SURNAMES = (
    "王72 李71 张70 刘54 陈47 杨32 黄23 赵22 吴21 周20 徐17 孙15 马14 朱14 胡13 郭12 何12 高11 林11 罗10 "
    "郑10 梁9 谢8 宋8 唐8 许7 韩7 冯7 邓7 曹7 彭6 曾6 肖6 田6 董5 袁5 潘5 于5 蒋5 蔡5 余5 杜5 叶5 程5 苏4 "
    "魏4 吕4 丁4 任4 沈4 姚4 卢4 姜4 崔4 钟3 谭3 陆3 汪3 范3 金3 石3 廖3 贾3 夏3 韦3 付3 方3 白3 邹3 孟3 "
    "熊3 秦3 邱3 江3 尹3 薛3 闫3 段3 雷3 侯3 龙3 史3 陶2 黎2 贺2 顾2 毛2 郝2 龚2 邵2 万2 钱2 严2 覃2 武2 "
    "戴2 莫2 孔2 向2 汤2 单1 翟1 解1 仇1 查1 缪1"
).split()
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "长孙")
GIVEN_MALE = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋亮成建国志文博海峰晨阳东兵庆"
)
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪慧红梅琳颖洁倩晶莉萍秀英兰凤琴云莹悦瑶欣怡佳丹蓉薇玉"
GIVEN_COMMON = "小子一天永金春家德思嘉立新晓中光世雨嘉瑞荣昌祥福林振兴安"
# Uyghur names as first name · father's name, drawn independently so that a few dozen of them are
# nearly all different (six fixed pairs once filled the first page of the pinyin-sorted list, where
# 阿卜杜拉·吐尔逊 sorts first, with ten identical names)
MINORITY_FIRST = (
    "买买提",
    "阿卜杜拉",
    "古丽娜尔",
    "热依汗",
    "艾尔肯",
    "迪丽拜尔",
    "努尔兰",
    "帕提古丽",
    "吐尔洪",
    "麦尔丹",
    "再努尔",
    "依明",
    "玛依拉",
    "祖丽菲亚",
    "伊力哈木",
    "米热古丽",
)
MINORITY_LAST = (
    "艾力",
    "吐尔逊",
    "艾买提",
    "沙吾提",
    "阿不都",
    "热合曼",
    "买合木提",
    "托合提",
    "克里木",
    "司马义",
    "尼亚孜",
    "卡德尔",
    "玉素甫",
    "吾甫尔",
    "哈斯木",
    "牙生",
)
ETHNICITIES = (
    ("汉族", 0.955),
    ("回族", 0.012),
    ("满族", 0.01),
    ("壮族", 0.006),
    ("土家族", 0.006),
    ("蒙古族", 0.005),
    ("苗族", 0.006),
)
EDUCATION = ("初中", "高中", "中专", "技工学校", "大专", "本科", "硕士研究生")
EDUCATION_MIX = (
    (0.20, 0.22, 0.20, 0.12, 0.16, 0.09, 0.01),
    (0.05, 0.12, 0.18, 0.20, 0.28, 0.15, 0.02),
)
POLITICAL = (("群众", 0.78), ("中共党员", 0.13), ("共青团员", 0.09))
PHONE_PREFIXES = (
    130,
    131,
    132,
    133,
    134,
    135,
    136,
    137,
    138,
    139,
    150,
    151,
    152,
    153,
    155,
    156,
    157,
    158,
    159,
    166,
    173,
    176,
    177,
    178,
    180,
    181,
    182,
    183,
    184,
    185,
    186,
    187,
    188,
    189,
    191,
    198,
    199,
)
# (title, honour level, rate per worker, multiplier for 技师 and above)
HONOURS = (
    ("省级技术能手", "provincial", 0.0015, 8),
    ("劳动模范", "provincial", 0.0004, 5),
    ("省五一劳动奖章", "provincial", 0.0004, 5),
    ("全国技术能手", "national", 0.00008, 20),
    ("全国五一劳动奖章", "national", 0.00006, 10),
    ("全国劳动模范", "national", 0.00002, 10),
    ("大国工匠", "national", 0.000004, 50),
)
# enterprises created when a province has none: (GB/T 4754 class, what they make)
# trade names for generated enterprises: 南京恒达特钢有限公司, not 南京特钢第3有限公司
BRANDS = (
    "恒达", "华通", "金泰", "瑞丰", "宏远", "天成", "中兴", "永盛", "鼎新", "海川",
    "正泰", "远东", "长城", "新华", "凯达", "联创", "锦程", "晨光", "东方", "明珠",
)  # fmt: skip
COMPANY_FORMS = ("有限公司", "股份有限公司", "集团有限公司")

ENTERPRISE_KINDS = (
    ("3711", "轨道交通装备"),
    ("3716", "铁路车辆配件"),
    ("3120", "特钢"),
    ("3821", "电力设备"),
    ("3670", "汽车零部件"),
    ("3421", "数控机床"),
    ("3971", "电子器件"),
    ("1713", "纺织印染"),
    ("2720", "生物医药"),
    ("3424", "焊接装备"),
    ("3511", "工程机械"),
    ("3841", "新能源电池"),
    ("2614", "化工"),
    ("3011", "建材"),
    ("3731", "船舶重工"),
    ("4011", "自动化仪表"),
    ("4420", "供电工程"),
    ("4710", "建工集团"),
    ("4851", "电力安装"),
    ("5431", "物流运输"),
    ("6110", "酒店管理"),
    ("2929", "塑料制品"),
    ("3311", "钢结构"),
    ("0610", "煤业"),
)
SOURCE = "synthetic data (gongjiang generate)"


def industry_kind(industry: str, section: str) -> str:
    division = int(industry[:2]) if industry[:2].isdigit() else 0
    if division == 37 and industry[:3] in ("371", "372"):
        return "rail"
    if division in ADVANCED or division == 37:
        return "advanced"
    if section in ("B", "C", "D"):
        return "industry"
    if section == "E":
        return "construction"
    return "services"


def medium_groups(industry: str, section: str) -> list[tuple[str, float]]:
    division = int(industry[:2]) if industry[:2].isdigit() else 0
    if section == "C" and division in MANUFACTURING:
        return [
            (MANUFACTURING[division], 0.6),
            ("6-18", 0.15),
            ("6-31", 0.1),
            ("2-02", 0.08),
            ("3-01", 0.04),
            ("4-02", 0.03),
        ]
    main = SECTIONS.get(section, ("4-99",))
    return [*((g, 0.8 / len(main)) for g in main), ("3-01", 0.1), ("2-02", 0.05), ("6-31", 0.05)]
