"""Hostile spreadsheets, made on the fly: each is a few lines of XML in a zip, or a generated CSV."""

from __future__ import annotations

import io
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _workbook(sheet: str | bytes, *, extra: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, text in (extra or {}).items():
            zf.writestr(name, text)
    return buffer.getvalue()


def far_cell_xlsx(*, declare: bool = True) -> bytes:
    """One cell at A1 and one at XFD1048576 (Excel's last cell): ~1.6 KB. With ``declare`` the sheet
    says so in ``<dimension>``; without, it claims A1 only and the far cell is a surprise."""
    dimension = '<dimension ref="A1:XFD1048576"/>' if declare else '<dimension ref="A1"/>'
    return _workbook(
        SHEET_HEAD + dimension + "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )


def zip_bomb_xlsx(unpacked_mib: int = 256) -> bytes:
    """A sheet padded with ``unpacked_mib`` MiB of whitespace: a few hundred KB packed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(SHEET_HEAD.encode() + b"<sheetData>")
            chunk = b" " * (1 << 20)
            for _i in range(unpacked_mib):
                part.write(chunk)
            part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def entity_expansion_xlsx() -> bytes:
    """“Billion laughs” in the shared strings: ten levels of ten entities each."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" * 1}' + f"&lol{i - 1};" * 9 + '">'
        for i in range(1, 10)
    )
    shared = (
        '<?xml version="1.0"?><!DOCTYPE sst [' + entities + "]>"
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    sheet = (
        SHEET_HEAD + '<dimension ref="A1"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    return _workbook(sheet, extra={"xl/sharedStrings.xml": shared})


def plain_xlsx(rows: list[list[str]]) -> bytes:
    from gongjiang.core.exports import xlsx_bytes

    return xlsx_bytes([("Sheet1", rows[0], rows[1:])])


def big_csv(path: str, rows: int, *, header: list[str], row: callable) -> None:  # type: ignore[valid-type]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for i in range(rows):
            fh.write(",".join(row(i)) + "\n")
