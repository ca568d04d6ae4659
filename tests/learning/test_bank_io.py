import io

from gongjiang.core.exports import xlsx_bytes
from gongjiang.core.models import AuditEvent
from gongjiang.core.spreadsheets import read_rows
from gongjiang.learning.bank.transfer import EXPORT_HEADER, export_rows, question_import
from gongjiang.learning.models import Question

HEADER = [
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "答案",
    "解析",
    "难度",
    "知识点",
    "分值",
    "评分要点",
]


def _file(rows, header=HEADER):
    return io.BytesIO(xlsx_bytes([("题库", header, rows)]))


GOOD = [
    [
        "单选题",
        "游标卡尺的读数精度是",
        "0.02mm",
        "0.1mm",
        "1mm",
        "",
        "A",
        "常用 0.02",
        "易",
        "量具",
        1,
        "",
    ],
    [
        "多选题",
        "属于个人防护用品的是",
        "安全帽",
        "护目镜",
        "扳手",
        "",
        "AB",
        "",
        "中等",
        "安全",
        2,
        "",
    ],
    ["判断题", "焊接时可以不戴面罩。", "", "", "", "", "错", "", "较易", "安全", 1, ""],
    [
        "填空题",
        "M10 表示公称直径为 ___ mm 的 ___ 螺纹",
        "",
        "",
        "",
        "",
        "10；普通|粗牙",
        "",
        "3",
        "识图",
        2,
        "",
    ],
    ["简答题", "简述錾削的安全要求", "", "", "", "", "戴防护眼镜……", "", "难", "钳工", 5, ""],
    [
        "实操题",
        "锉削一个 30×30 的正方体",
        "",
        "",
        "",
        "",
        "",
        "",
        "较难",
        "钳工",
        "",
        "尺寸:6；平面度:4",
    ],
]


def test_import_all_types(world) -> None:
    result = question_import(
        actor=world.alice,
        organization=world.province_a,
        source=_file(GOOD),
        filename="bank.xlsx",
        dry_run=False,
    )
    assert result["errors"] == [] and result["created"] == 6
    qs = {q.qtype: q for q in Question.objects.select_related("current")}
    assert qs["fill"].current.answer == [["10"], ["普通", "粗牙"]]
    assert qs["true_false"].current.answer is False
    assert qs["practical"].current.score == 10 and qs["multiple"].current.answer == ["A", "B"]
    assert qs["single"].difficulty == 1 and qs["short"].difficulty == 5
    assert AuditEvent.objects.filter(action="question.import").count() == 1


def test_dry_run_imports_nothing(world) -> None:
    result = question_import(
        actor=world.alice,
        organization=world.province_a,
        source=_file(GOOD),
        filename="bank.xlsx",
        dry_run=True,
    )
    assert result["valid"] == 6 and result["created"] == 0 and Question.objects.count() == 0


def test_errors_name_row_column_value_and_reason_and_import_nothing(world) -> None:
    rows = GOOD[:2] + [
        ["论文题", "x", "", "", "", "", "", "", "易", "", 1, ""],
        ["单选题", "题干", "甲", "乙", "", "", "E", "", "易", "", 1, ""],
        ["判断题", "题干", "", "", "", "", "也许", "", "很难", "", 1, ""],
        ["单选题", "", "甲", "乙", "", "", "A", "", "易", "", 1, ""],
        ["实操题", "操作", "", "", "", "", "", "", "易", "", "", "尺寸六分"],
        ["单选题", "题干", "甲", "乙", "", "", "A", "", "易", "", "abc", ""],
    ]
    result = question_import(
        actor=world.alice,
        organization=world.province_a,
        source=_file(rows),
        filename="bank.xlsx",
        dry_run=False,
    )
    assert result["created"] == 0 and Question.objects.count() == 0
    errors = {(e["row"], e["column"]) for e in result["errors"]}
    assert (4, "题型") in errors
    assert (5, "答案") in errors
    assert (6, "答案") in errors and (6, "难度") in errors
    assert (7, "题干") in errors
    assert (8, "评分要点") in errors
    assert (9, "分值") in errors
    bad_type = next(e for e in result["errors"] if e["row"] == 4)
    assert bad_type["value"] == "论文题" and bad_type["message"]


def test_missing_header_is_reported(world) -> None:
    import pytest

    from gongjiang.core.spreadsheets import UnreadableFile

    with pytest.raises(UnreadableFile):
        question_import(
            actor=world.alice,
            organization=world.province_a,
            source=_file([["x"]], header=["名称"]),
            filename="bank.xlsx",
            dry_run=True,
        )


def test_export_round_trip(world) -> None:
    question_import(
        actor=world.alice,
        organization=world.province_a,
        source=_file(GOOD),
        filename="b.xlsx",
        dry_run=False,
    )
    data = xlsx_bytes([("题库", EXPORT_HEADER, export_rows(Question.objects.order_by("id")))])
    rows = list(read_rows(io.BytesIO(data), "x.xlsx"))
    assert rows[0][1][:2] == ["题型", "题干"]
    Question.objects.all().delete()
    result = question_import(
        actor=world.alice,
        organization=world.province_a,
        source=io.BytesIO(data),
        filename="again.xlsx",
        dry_run=False,
    )
    assert result["errors"] == [] and result["created"] == 6
    assert Question.objects.get(qtype="fill").current.answer == [["10"], ["普通", "粗牙"]]


def test_an_imported_stem_is_held_to_the_api_limit(world) -> None:
    from gongjiang.learning.bank.services import TEXT_MAX_CHARS

    long_stem = "长" * (TEXT_MAX_CHARS + 1)
    rows = [
        ["单选题", "长" * TEXT_MAX_CHARS, "甲", "乙", "", "", "A", "", "易", "", 1, ""],
        ["单选题", long_stem, "甲", "乙", "", "", "A", "", "易", "", 1, ""],
        ["单选题", "题干", "甲", "乙", "", "", "A", "解" * (TEXT_MAX_CHARS + 1), "易", "", 1, ""],
    ]
    result = question_import(
        actor=world.alice,
        organization=world.province_a,
        source=_file(rows),
        filename="bank.xlsx",
        dry_run=False,
    )
    assert result["created"] == 0 and Question.objects.count() == 0
    errors = {(e["row"], e["column"]): e for e in result["errors"]}
    assert set(errors) == {(3, "题干"), (4, "解析")}
    assert "20000" in errors[(3, "题干")]["message"]
