"""Word (.docx) question import: the layout variants, the errors a Word user can find, broken and
hostile files, the dry run and the all-or-nothing confirm on the import page."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.utils import translation

from gongjiang.core.models import Job
from gongjiang.core.spreadsheets import UnreadableFile
from gongjiang.learning.bank import word as bank_docx
from gongjiang.learning.bank.transfer import question_import
from gongjiang.learning.bank.word import docx_bank
from gongjiang.learning.models import Question

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def para(text: str) -> str:
    """A paragraph of one run; a tab becomes <w:tab/>, a newline a soft line break <w:br/>.
    Text that already is a <w:p> element is used as it is."""
    if text.startswith("<w:p"):
        return text
    runs = []
    for i, line in enumerate(text.split("\n")):
        if i:
            runs.append("<w:r><w:br/></w:r>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                runs.append("<w:r><w:tab/></w:r>")
            runs.append(f'<w:r><w:t xml:space="preserve">{escape(piece)}</w:t></w:r>')
    return f"<w:p>{''.join(runs)}</w:p>"


def document_xml(paragraphs: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
        f"<w:body>{''.join(para(p) for p in paragraphs)}<w:sectPr/></w:body></w:document>"
    )


def make_docx(
    paragraphs: list[str] | None = None,
    *,
    document: str | bytes | None = None,
    numbering: str | None = None,
    styles: str | None = None,
    leave_out_document: bool = False,
) -> io.BytesIO:
    """A minimal valid .docx: [Content_Types].xml, _rels/.rels, word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        if not leave_out_document:
            archive.writestr(
                "word/document.xml",
                document if document is not None else document_xml(paragraphs or []),
            )
        if numbering is not None:
            archive.writestr("word/numbering.xml", numbering)
        if styles is not None:
            archive.writestr("word/styles.xml", styles)
    buffer.seek(0)
    buffer.name = "bank.docx"
    return buffer


def run_import(world: Any, source: io.BytesIO, *, dry_run: bool = False) -> dict[str, Any]:
    return question_import(
        actor=world.alice,
        organization=world.province_a,
        source=source,
        filename="bank.docx",
        dry_run=dry_run,
    )


def error_at(result: dict[str, Any], column: str) -> dict[str, Any]:
    return next(e for e in result["errors"] if e["column"] == column)


# ------------------------------------------------------------------------------------ layout
EVERY_VARIANT = [
    "焊工（初级）理论知识题库",  # a title: left out with a warning
    "一、单选题（每题1分）",
    "1. 焊接时，为防止弧光伤害眼睛，应佩戴（  ）。",
    "A. 普通眼镜\tB. 焊接面罩",
    "C. 太阳镜",
    "D. 不需要防护",
    "答案：B",
    "解析：焊接弧光含强烈的紫外线。",
    "难度：中等",
    "知识点：安全防护",
    "2、游标卡尺的读数精度是（  ）。",
    "A、0.02mm  B、0.1mm  C、1mm",
    "【答案】A",
    "【解析】常用 0.02",
    "３．全角的题号与选项",
    "Ａ．甲　Ｂ．乙　Ｃ．丙",
    "答案：C",
    "（4）括号题号，选项到 H",
    "A:一 B:二 C:三 D:四",
    "E：五 F：六 G：七 H：八",
    "正确答案：H",
    "分值：3",
    "二、单项选择题",
    "1. 单项选择题的标题也认",
    "A. 是\nB. 否",  # a soft line break between two options
    "答案：A",
    "三、多项选择题（每小题2分，共10分）",
    "1. 属于个人防护用品的是（  ）。",
    "A. 安全帽 B. 护目镜 C. 扳手 D. 绝缘手套",
    "答案：ABD",
    "2. 多选题的答案也可以用顿号",
    "A. 甲 B. 乙 C. 丙",
    "答案：A、C",
    "四、多选题",
    "1. 多选题标题",
    "A. 甲 B. 乙",
    "答案：AB",
    "五、判断题",
    "1. 焊接时可以不戴面罩。",
    "答案：×",
    "2. 钢的含碳量小于 2.11%。",
    "答案：√",
    "3. 对错也行。",
    "答案：对",
    "4. 错也行。",
    "答案：错",
    "5. 正确也行。",
    "答案：正确",
    "6. 错误也行。",
    "答案：错误",
    "六、填空题（每题2分）",
    "1. M10 表示公称直径为____mm 的____螺纹。",
    "答案：10；普通|粗牙",
    "七、简答题",
    "1. 简述錾削的安全要求。",
    "答案：戴防护眼镜；錾子无毛刺。",
    "分值：5",
    "八、问答题",
    "1. 问答题的标题也认",
    "答案：参考答案",
    "九、实操题",
    "1. 锉削一个 30×30 的正方体",
    "评分要点：尺寸:6；平面度:4",
    "十、单选题",
    "1. 题型行改变题型",
    "题型：多选题",
    "A. 甲 B. 乙 C. 丙",
    "答案：AC",
]


def test_every_variant_of_the_layout_is_imported(world) -> None:
    result = run_import(world, make_docx(EVERY_VARIANT))
    assert result["errors"] == [], result["errors"]
    assert result["source"] == "docx" and result["rows"] == 19 and result["created"] == 19
    assert [w["value"] for w in result["warnings"]] == ["焊工(初级)理论知识题库"]
    qs = list(Question.objects.select_related("current").order_by("id"))
    first = qs[0].current
    assert qs[0].qtype == "single" and first.answer == "B" and qs[0].difficulty == 3
    assert [o["text"] for o in first.options] == ["普通眼镜", "焊接面罩", "太阳镜", "不需要防护"]
    assert first.explanation == "焊接弧光含强烈的紫外线。" and qs[0].knowledge_point == "安全防护"
    assert first.score == 1  # from “（每题1分）”
    assert qs[1].current.answer == "A" and qs[1].current.explanation == "常用 0.02"
    assert len(qs[1].current.options) == 3
    assert [o["text"] for o in qs[2].current.options] == ["甲", "乙", "丙"]
    assert qs[2].current.stem == "全角的题号与选项"
    eight = qs[3].current
    assert len(eight.options) == 8 and eight.answer == "H" and eight.score == 3
    assert qs[4].qtype == "single" and len(qs[4].current.options) == 2
    assert qs[5].qtype == "multiple" and qs[5].current.answer == ["A", "B", "D"]
    assert qs[5].current.score == 2
    assert qs[6].current.answer == ["A", "C"] and qs[7].qtype == "multiple"
    judged = [q.current.answer for q in qs[8:14]]
    assert judged == [False, True, True, False, True, False]
    assert qs[14].qtype == "fill" and qs[14].current.answer == [["10"], ["普通", "粗牙"]]
    assert qs[14].current.score == 2 and "____" in qs[14].current.stem
    assert qs[15].qtype == "short" and qs[15].current.score == 5
    assert qs[16].qtype == "short" and qs[16].current.answer == "参考答案"
    assert qs[17].qtype == "practical" and qs[17].current.score == 10
    assert qs[18].qtype == "multiple" and qs[18].current.answer == ["A", "C"]


def test_a_choice_heading_decides_by_the_answer_and_fields_override_it(world) -> None:
    lines = [
        "一、选择题",
        "1. 一个答案",
        "A. 甲 B. 乙",
        "答案：B",
        "2. 两个答案",
        "A. 甲 B. 乙 C. 丙",
        "答案：BC",
        "难度：难",
        "知识点：识图",
    ]
    result = run_import(world, make_docx(lines))
    assert result["errors"] == [] and result["created"] == 2
    one, two = Question.objects.order_by("id")
    assert one.qtype == "single" and two.qtype == "multiple"
    assert two.difficulty == 5 and two.knowledge_point == "识图"


def test_long_answers_stems_with_lists_and_soft_breaks(world) -> None:
    lines = [
        "一、简答题",
        "1. 简述錾削的安全要求。",
        "答案：",
        "1. 戴防护眼镜；",
        "2. 錾子无毛刺。",
        "解析：第一行",
        "第二行",
        "2. 下列说法：",
        "（1）条件一",
        "（2）条件二",
        "答案：都对",
        "二、单选题",
        "1. 第一行\n第二行",  # a soft line break inside the stem
        "A. 甲 B. 乙",
        "答案：A",
    ]
    result = run_import(world, make_docx(lines))
    assert result["errors"] == [], result["errors"]
    first, second, third = Question.objects.select_related("current").order_by("id")
    assert first.current.answer == "1. 戴防护眼镜;\n2. 錾子无毛刺。"
    assert first.current.explanation == "第一行<br>第二行"
    assert second.current.stem == "下列说法:<br>(1)条件一<br>(2)条件二"
    assert third.current.stem == "第一行<br>第二行"


NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W_NS}">
<w:abstractNum w:abstractNumId="0">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%2."/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="1"/>
  <w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
</w:numbering>"""


def numbered(text: str, num_id: int, level: int = 0) -> str:
    return (
        f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
        f"</w:pPr><w:r><w:t>{escape(text)}</w:t></w:r></w:p>"
    )


def test_words_automatic_numbering_is_read(world) -> None:
    lines = [
        numbered("单选题", 1),
        numbered("第一题", 2),
        numbered("甲", 2, 1),
        numbered("乙", 2, 1),
        "答案：B",
        numbered("第二题", 2),
        numbered("丙", 2, 1),  # the letters start again at A under a new question
        numbered("丁", 2, 1),
        "答案：A",
        numbered("判断题", 1),
        numbered("第三题", 3),
        "答案：对",
    ]
    bank = docx_bank(make_docx(lines, numbering=NUMBERING))
    assert [(q.section, q.number) for q in bank.questions] == [
        ("一、单选题", "1."),
        ("一、单选题", "2."),
        ("二、判断题", "1."),
    ]
    assert bank.questions[1].options == {"A": "丙", "B": "丁"}
    assert bank.errors == []


STYLE_NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W_NS}">
<w:abstractNum w:abstractNumId="0">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>
    <w:pStyle w:val="SectionHeading"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%2."/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>"""

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W_NS}">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="SectionHeading"><w:basedOn w:val="Normal"/>
  <w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListNumber"><w:basedOn w:val="Normal"/>
  <w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Question"><w:basedOn w:val="ListNumber"/></w:style>
<w:style w:type="paragraph" w:styleId="Option"><w:basedOn w:val="ListNumber"/>
  <w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="LoopA"><w:basedOn w:val="LoopB"/></w:style>
<w:style w:type="paragraph" w:styleId="LoopB"><w:basedOn w:val="LoopA"/></w:style>
<w:style w:type="character" w:styleId="Strong"><w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>
</w:styles>"""


def styled(text: str, style: str, ppr: str = "") -> str:
    return (
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>'
        f"<w:r><w:t>{escape(text)}</w:t></w:r></w:p>"
    )


def test_numbering_carried_by_paragraph_styles_is_read(world) -> None:
    """Teachers number questions with a list style (“List Number”, a style based on it, a heading
    style linked to a list level) rather than on each paragraph; the labels are the same."""
    lines = [
        styled("单选题", "SectionHeading"),  # level found through <w:lvl><w:pStyle>
        styled("第一题", "Question"),  # numbering inherited through basedOn
        styled("甲", "Option"),  # the style's own level (1), the base style's list
        styled("乙", "Option"),
        "答案：B",
        styled("第二题", "ListNumber"),
        styled(
            "丙", "ListNumber", '<w:numPr><w:ilvl w:val="1"/></w:numPr>'
        ),  # level on the paragraph
        styled("丁", "Option"),
        "答案：A",
        styled("判断题", "SectionHeading"),
        # a numId of 0 on the paragraph switches the style's numbering off; so does a loop of
        # basedOn styles that carries none; a tracked change's old properties are not read
        styled("3. 第三题", "ListNumber", '<w:numPr><w:numId w:val="0"/></w:numPr>'),
        "答案：对",
        styled("4. 第四题", "LoopA"),
        "答案：错",
        styled(
            "5. 第五题",
            "Normal",
            '<w:pPrChange w:id="1" w:author="x"><w:pPr><w:pStyle w:val="ListNumber"/>'
            '<w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:pPrChange>',
        ),
        "答案：对",
    ]
    bank = docx_bank(make_docx(lines, numbering=STYLE_NUMBERING, styles=STYLES))
    assert bank.errors == []
    assert [(q.section, q.number) for q in bank.questions] == [
        ("一、单选题", "1."),
        ("一、单选题", "2."),
        ("二、判断题", "3."),
        ("二、判断题", "4."),
        ("二、判断题", "5."),
    ]
    assert bank.questions[0].options == {"A": "甲", "B": "乙"}
    assert bank.questions[1].options == {"A": "丙", "B": "丁"}


def test_tables_hyperlinks_tracked_changes_and_underlined_blanks(world) -> None:
    option_table = (
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>A. 甲</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>B. 乙</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    stem = (
        "<w:p><w:r><w:t>1. 公称直径为</w:t></w:r>"
        '<w:r><w:rPr><w:u w:val="single"/></w:rPr><w:t xml:space="preserve">      </w:t></w:r>'
        "<w:del><w:r><w:delText>删掉的字</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>的</w:t></w:r></w:ins>"
        "<w:hyperlink><w:r><w:t>螺纹</w:t></w:r></w:hyperlink>"
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r></w:p>"
    )
    body = "".join([para("一、单选题"), stem, option_table, para("答案：A")])
    document = document_xml([]).replace("<w:sectPr/>", body + "<w:sectPr/>")
    bank = docx_bank(make_docx(document=document))
    q = bank.questions[0]
    assert q.stem == ["公称直径为______的螺纹"] and q.options == {"A": "甲", "B": "乙"}
    assert bank.errors == []


def test_an_image_is_left_out_with_a_warning(world) -> None:
    picture = (
        "<w:p><w:r><w:t>1. 看图回答：</w:t></w:r><w:r><w:drawing><wp:inline>"
        "<w:p><w:r><w:t>文本框里的字</w:t></w:r></w:p></wp:inline></w:drawing></w:r></w:p>"
    )
    result = run_import(
        world, make_docx(["一、单选题", picture, "A. 甲 B. 乙", "答案：A"]), dry_run=True
    )
    assert result["errors"] == [] and result["valid"] == 1
    (warning,) = result["warnings"]
    assert warning["question"] == "一、单选题 1." and warning["paragraph"] == 2
    assert warning["column"] == "题干" and warning["message"]
    bank = docx_bank(make_docx(["一、单选题", picture, "A. 甲 B. 乙", "答案：A"]))
    assert bank.questions[0].stem == ["看图回答:"]


def test_an_equation_is_kept_as_text_with_a_warning(world) -> None:
    equation = (
        "<w:p><w:r><w:t>1. 计算 </w:t></w:r><m:oMath><m:r><m:t>x=2</m:t></m:r></m:oMath></w:p>"
    )
    bank = docx_bank(make_docx(["一、单选题", equation, "A. 甲 B. 乙", "答案：A"]))
    assert bank.questions[0].stem == ["计算 x=2"]
    assert [w.column for w in bank.warnings] == ["题干"]


def test_html_in_the_text_is_kept_as_text(world) -> None:
    result = run_import(
        world,
        make_docx(["一、单选题", "1. a<b> & <script>x</script>", "A. <i>甲</i> B. 乙", "答案：A"]),
    )
    assert result["errors"] == []
    v = Question.objects.get().current
    assert v.stem == "a&lt;b&gt; &amp; &lt;script&gt;x&lt;/script&gt;"
    assert v.options[0]["text"] == "&lt;i&gt;甲&lt;/i&gt;"


def test_the_sample_imports_without_errors_or_warnings(world) -> None:
    result = run_import(world, io.BytesIO(bank_docx.sample_docx()), dry_run=True)
    assert result["errors"] == [] and result["warnings"] == []
    assert result["valid"] == 6 and Question.objects.count() == 0


# ------------------------------------------------------------------------------------ errors
def test_a_question_without_an_answer_line(world) -> None:
    lines = ["一、单选题", "1. 有答案", "A. 甲 B. 乙", "答案：A", "2. 没有答案", "A. 甲 B. 乙"]
    with translation.override("en"):
        result = run_import(world, make_docx(lines))
    assert result["created"] == 0 and Question.objects.count() == 0
    assert result["valid"] == 1 and result["rejected"] == 1
    (error,) = result["errors"]  # not also “the answer is empty”
    assert error["question"] == "一、单选题 2." and error["paragraph"] == 5
    assert error["column"] == "答案" and error["value"] == ""
    assert error["message"] == "This question has no answer line (答案：…)."


def test_a_gap_in_the_option_letters(world) -> None:
    lines = ["一、单选题", "1. 缺 C", "A. 甲", "B. 乙", "D. 丁", "答案：A"]
    with translation.override("zh-hans"):
        result = run_import(world, make_docx(lines))
    assert result["created"] == 0
    (error,) = result["errors"]
    assert error["column"] == "选项C" and error["paragraph"] == 5
    assert error["question"] == "一、单选题 1."
    assert "C" in error["message"] and "A、B、D" in error["message"]
    assert error["message"] != "Option C is missing: the options go A、B、D."  # translated


def test_an_answer_letter_that_is_not_an_option(world) -> None:
    lines = ["一、单选题", "1. 题干", "A. 甲 B. 乙", "", "答案：E"]
    with translation.override("en"):
        result = run_import(world, make_docx(lines))
    (error,) = result["errors"]
    assert (error["question"], error["paragraph"], error["column"], error["value"]) == (
        "一、单选题 1.",
        5,
        "答案",
        "E",
    )
    assert error["message"] == "The answer names an option that does not exist."


def test_text_that_cannot_be_attached_to_a_question(world) -> None:
    lines = [
        "一、单选题",
        "A. 没有题号的选项",
        "1. 题干",
        "A. 甲 B. 乙",
        "这一行不是选项",
        "答案：A",
        "多出来的一行",
        "知识点：安全",
        "难度：易",
        "还有一行",
    ]
    with translation.override("en"):
        result = run_import(world, make_docx(lines))
    assert result["created"] == 0 and Question.objects.count() == 0
    # the question itself is fine: the stray text rejects the whole file
    assert result["valid"] == 1
    errors = [(e["paragraph"], e["column"], e["value"]) for e in result["errors"]]
    assert errors == [
        (2, "", "A. 没有题号的选项"),
        (5, "", "这一行不是选项"),
        (7, "", "多出来的一行"),
        (10, "", "还有一行"),
    ]
    by_paragraph = {e["paragraph"]: e for e in result["errors"]}
    assert by_paragraph[2]["question"] == ""
    assert by_paragraph[5]["question"] == "一、单选题 1."
    assert "follows the options" in by_paragraph[5]["message"]
    assert "答案" in by_paragraph[7]["message"] and "single line" in by_paragraph[7]["message"]


def test_repeated_lines_and_a_missing_question_number(world) -> None:
    lines = [
        "一、单选题",
        "1. 题干",
        "A. 甲 B. 乙 B. 乙",
        "答案：A",
        "A. 下一题的选项",
        "答案：B",
        "二、判断题",
        "判断题没有题号",
    ]
    with translation.override("en"):
        result = run_import(world, make_docx(lines))
    found = {(e["paragraph"], e["column"]) for e in result["errors"]}
    assert (5, "选项A") in found  # an option after the answer line
    assert (6, "答案") in found  # a second answer line
    assert result["created"] == 0 and result["warnings"][0]["value"] == "判断题没有题号"
    second = next(e for e in result["errors"] if e["paragraph"] == 6)
    assert second["value"] == "B" and "second 答案 line" in second["message"]


def test_a_question_with_no_type_and_an_unknown_type(world) -> None:
    lines = [
        "1. 标题之前的题",
        "A. 甲 B. 乙",
        "答案：A",
        "三、综合题",
        "1. 不认识的题型",
        "答案：x",
        "2. 题型行写错",
        "题型：论文题",
        "答案：x",
    ]
    with translation.override("en"):
        result = run_import(world, make_docx(lines))
    assert result["created"] == 0
    errors = [(e["question"], e["column"], e["value"]) for e in result["errors"]]
    assert errors == [
        ("1.", "题型", ""),
        ("三、综合题 1.", "题型", "综合题"),
        ("三、综合题 2.", "题型", "论文题"),
    ]
    assert "heading" in result["errors"][0]["message"]
    assert result["errors"][2]["paragraph"] == 8  # the 题型 line


def test_validation_errors_name_the_question_and_the_line(world) -> None:
    lines = [
        "一、判断题",
        "1. 题干",
        "答案：也许",
        "难度：很难",
        "2. 分值写错",
        "答案：对",
        "分值：abc",
        "二、单选题",
        "2. 只有一个选项",
        "A. 甲",
        "答案：A",
        "3. 单选两个答案",
        "A. 甲 B. 乙",
        "答案：AB",
    ]
    with translation.override("en"):
        result = run_import(world, make_docx(lines))
    assert result["created"] == 0 and result["rejected"] == 4
    located = {(e["question"], e["paragraph"], e["column"]) for e in result["errors"]}
    assert located == {
        ("一、判断题 1.", 3, "答案"),
        ("一、判断题 1.", 4, "难度"),
        ("一、判断题 2.", 7, "分值"),
        ("二、单选题 2.", 11, "答案"),
        ("二、单选题 3.", 14, "答案"),
    }


def test_no_question_at_all(world) -> None:
    with pytest.raises(UnreadableFile, match="No question"):
        with translation.override("en"):
            run_import(world, make_docx(["只有标题", "一段说明"]))


# ------------------------------------------------------------------------- broken and hostile
def _zip(**parts: bytes | str) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name.replace("__", "/"), data)
    buffer.seek(0)
    return buffer


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>1. &lol3;</w:t></w:r></w:p></w:body></w:document>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>1. &secret;</w:t></w:r></w:p></w:body></w:document>"""


def _corrupted() -> io.BytesIO:
    data = bytearray(make_docx(["一、单选题", "1. 题干", "A. 甲 B. 乙", "答案：A"] * 50).getvalue())
    start = data.find(b"word/document.xml") + len("word/document.xml") + 20
    for i in range(start, start + 40):
        data[i] ^= 0xFF
    return io.BytesIO(bytes(data))


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (lambda: io.BytesIO(b"PK\x03\x04 not really a zip"), "not a .docx"),
        (lambda: io.BytesIO("1. 题干\n答案：A".encode()), "not a .docx"),
        (lambda: io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "not a .docx"),
        (lambda: make_docx(leave_out_document=True), "no word/document.xml"),
        (lambda: _zip(word__document=b"x"), "no word/document.xml"),
        (lambda: make_docx(document=" " * (21 * 1024 * 1024)), "larger than 20 MB"),
        (lambda: make_docx(document=BILLION_LAUGHS), "DTD or entities"),
        (lambda: make_docx(document=EXTERNAL_ENTITY), "DTD or entities"),
        (lambda: make_docx(document="<w:document><w:body><w:p>"), "not well-formed"),
        (lambda: make_docx(document="<d>&undefined;</d>"), "not well-formed"),
        (lambda: make_docx(["1. x"], numbering=BILLION_LAUGHS), "word/numbering.xml"),
        (
            lambda: make_docx(["1. x"], numbering=NUMBERING, styles=BILLION_LAUGHS),
            "word/styles.xml",
        ),
        (_corrupted, "damaged"),
    ],
    ids=[
        "zip-signature-only",
        "text",
        "old-doc",
        "no-document",
        "wrong-name",
        "zip-bomb",
        "billion-laughs",
        "external-entity",
        "truncated-xml",
        "undefined-entity",
        "hostile-numbering",
        "hostile-styles",
        "corrupted",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(world, source, reason) -> None:
    with translation.override("en"), pytest.raises(UnreadableFile) as caught:
        run_import(world, source())
    assert reason in caught.value.message
    assert caught.value.message.startswith("This file cannot be read as a Word document")
    assert Question.objects.count() == 0


def test_the_uncompressed_size_is_capped_while_reading(world, monkeypatch) -> None:
    """A zip whose headers understate the size of document.xml is refused as damaged: reading
    stops at the stated size (and never past the cap), and the checksum then fails."""
    monkeypatch.setattr(bank_docx, "MAX_PART_BYTES", 1000)
    lines = ["一、单选题"] + ["1. 题干", "A. 甲 B. 乙", "答案：A"] * 30
    source = make_docx(lines)
    with zipfile.ZipFile(source) as archive:
        assert archive.getinfo("word/document.xml").file_size > 1000
    data = bytearray(source.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    # rewrite the sizes in the local header and the central directory to 999 bytes
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(sig, 0)
        while at != -1:
            offset = 22 if sig == b"PK\x03\x04" else 24
            name_at = 30 if sig == b"PK\x03\x04" else 46
            if data[at + name_at : at + name_at + 17] == b"word/document.xml":
                assert (
                    int.from_bytes(data[at + offset : at + offset + 4], "little") == info.file_size
                )
                data[at + offset : at + offset + 4] = (999).to_bytes(4, "little")
            at = data.find(sig, at + 4)
    with translation.override("en"), pytest.raises(UnreadableFile, match="damaged|larger"):
        run_import(world, io.BytesIO(bytes(data)))


# --------------------------------------------------------------- dry run, confirm, the pages
def test_a_dry_run_writes_nothing(world) -> None:
    result = run_import(world, make_docx(EVERY_VARIANT), dry_run=True)
    assert result["valid"] == 19 and result["created"] == 0
    assert Question.objects.count() == 0


def test_one_bad_question_imports_nothing(world) -> None:
    lines = EVERY_VARIANT + ["11. 最后一题没有答案"]
    result = run_import(world, make_docx(lines))
    assert result["valid"] == 19 and result["rejected"] == 1 and result["created"] == 0
    assert Question.objects.count() == 0


def _upload(client, world, source: io.BytesIO, name: str = "题库.docx", **extra: Any):
    source.name = name
    return client.post(
        "/learning/questions/import/",
        {"organization": world.province_a.code, "file": source},
        **extra,
    )


def test_the_page_checks_then_imports_a_word_file(
    client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.alice)
    r = client.get("/learning/questions/import/")
    assert r.status_code == 200 and b"sample=docx" in r.content and b".docx" in r.content
    sample = client.get("/learning/questions/import/?sample=docx")
    assert sample["Content-Type"].endswith("wordprocessingml.document")
    assert "attachment" in sample["Content-Disposition"]
    with django_capture_on_commit_callbacks(execute=True):
        r = _upload(client, world, io.BytesIO(sample.content))
    assert r.status_code == 302 and Question.objects.count() == 0
    review = client.get(r["Location"])
    assert b'id="confirm-import"' in review.content and b"import-errors" not in review.content
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(r["Location"])
    assert r.status_code == 302
    assert Question.objects.filter(organization=world.province_a).count() == 6
    job = Job.objects.order_by("-id").first()
    assert job.params["dry_run"] is False and job.result["created"] == 6
    assert b"6" in client.get(r["Location"]).content


def test_the_page_reports_errors_in_the_users_language_and_refuses_to_confirm(
    client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.alice)
    lines = ["一、单选题", "1. 题干", "A. 甲 B. 乙", "D. 丁", "答案：A"]
    with django_capture_on_commit_callbacks(execute=True):
        r = _upload(client, world, make_docx(lines), HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(r["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="import-errors"' in page and "confirm-import" not in page
    assert "Option C is missing" in page and "一、单选题 1." in page and "选项C" in page
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(r["Location"])
    assert confirm.status_code == 302 and Question.objects.count() == 0
    assert Job.objects.filter(params__dry_run=False).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        r = _upload(client, world, make_docx(lines), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "缺少选项 C" in client.get(r["Location"]).content.decode()


def test_the_page_explains_an_unreadable_file(
    client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        r = _upload(client, world, make_docx(document=BILLION_LAUGHS), HTTP_ACCEPT_LANGUAGE="en")
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and "DTD" in job.result["error"]
    page = client.get(r["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="import-error"' in page and "Traceback" not in page
    assert Question.objects.count() == 0


def test_the_page_accepts_only_the_import_file_types(client, world) -> None:
    client.force_login(world.alice)
    r = _upload(client, world, io.BytesIO(b"x"), name="bank.doc", HTTP_ACCEPT_LANGUAGE="en")
    assert (
        r.status_code == 200 and "Upload an .xlsx, .xls, .csv or .docx file." in r.content.decode()
    )
    assert Job.objects.count() == 0


def test_scores_from_the_heading(world) -> None:
    lines = [
        "一、单选题（每题1.5分，共15分）",
        "1. 题干",
        "A. 甲 B. 乙",
        "答案：A",
        "第二部分 判断题：本大题每小题 0.5 分",
        "1. 题干",
        "答案：错误",
    ]
    result = run_import(world, make_docx(lines))
    assert result["errors"] == [] and result["warnings"] == []
    scores = [q.current.score for q in Question.objects.select_related("current").order_by("id")]
    assert scores == [Decimal("1.5"), Decimal("0.5")]


def test_a_strict_open_xml_document_is_read(world) -> None:
    strict = document_xml(["一、单选题", "1. 题干", "A. 甲 B. 乙", "答案：A"]).replace(
        W_NS, "http://purl.oclc.org/ooxml/wordprocessingml/main"
    )
    bank = docx_bank(make_docx(document=strict))
    assert [q.row()[:4] for q in bank.questions] == [["单选题", "题干", "甲", "乙"]]


def test_a_bare_number_is_a_question_that_is_reported(world) -> None:
    lines = ["1. 题干", "题型：单选题", "A. 甲 B. 乙", "答案：A", "2."]
    with translation.override("en"):
        result = run_import(world, make_docx(lines))
    assert result["rows"] == 2 and result["rejected"] == 1 and result["created"] == 0
    assert {(e["question"], e["column"]) for e in result["errors"]} >= {
        ("2.", "题型"),
        ("2.", "答案"),
    }
