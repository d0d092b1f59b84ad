"""A streaming XLSX writer: rows in, ZIP bytes out as they are made, memory flat.

Only what a ratings export needs: one header row per sheet, numbers, booleans, text and
times already turned into text; a sheet holds at most 1,048,576 rows (Excel's limit), so
after 1,048,575 data rows the export continues on a new sheet with the header again.
The ZIP is written with data descriptors (no seeking), so it can go straight into an HTTP
response or a file. Our own small writer rather than a library: the libraries we looked
at either hold the workbook in memory or need a seekable temp file before the first byte
can be sent.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

MAX_ROWS_PER_SHEET = 1_048_576  # including the header row
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FLUSH_AT = 256 * 1024


class _Sink:
    """A write-only file object collecting bytes for the generator to hand out."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts, self.size = [], 0
        return out


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _cell(value) -> str:
    # Cells and rows without an "r" reference are placed one after the other (ECMA-376
    # allows leaving it out), which keeps a million-row sheet cheap to write.
    if value is None or value == "":
        return "<c/>"
    if value is True or value is False:
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>"
    text = str(value)
    if _NEEDS_WORK.search(text):
        text = escape(_ILLEGAL.sub("", text))
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text[:32767]}</t></is></c>'


_NEEDS_WORK = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _row(number: int, cols: list[str], values) -> str:
    return "<row>" + "".join(map(_cell, values)) + "</row>"


SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def stream(
    header: list[str],
    rows: Iterable,
    sheet_name: str = "ratings",
    max_rows=MAX_ROWS_PER_SHEET,
    prerendered: bool = False,
) -> Iterator[bytes]:
    """The XLSX file as chunks of bytes. ``rows`` are lists of values, or with
    ``prerendered`` each row's XML text already (``<row>...</row>``, made by PostgreSQL
    in ``central.insights.pg_export``)."""
    sink = _Sink()
    zf = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    cols = [_col(i) for i in range(len(header))]
    sheets = 0
    rows = iter(rows)
    done = False
    while not done:
        sheets += 1
        with zf.open(f"xl/worksheets/sheet{sheets}.xml", "w", force_zip64=True) as out:
            buffer = [SHEET_HEAD, _row(1, cols, header)]
            size = 0
            number = 1
            for values in rows:
                number += 1
                line = values if prerendered else _row(number, cols, values)
                buffer.append(line)
                size += len(line)
                if size >= _FLUSH_AT:
                    out.write("".join(buffer).encode())
                    buffer, size = [], 0
                    if sink.size:
                        yield sink.take()
                if number >= max_rows:
                    break
            else:
                done = True
            buffer.append(SHEET_TAIL)
            out.write("".join(buffer).encode())
        if sink.size:
            yield sink.take()
        if not done:
            # Only start another sheet if there is at least one more row.
            try:
                first = next(rows)
            except StopIteration:
                done = True
            else:
                rows = _chain(first, rows)
    names = [f"{sheet_name}{'' if i == 1 else f' ({i})'}" for i in range(1, sheets + 1)]
    zf.writestr("[Content_Types].xml", _content_types(sheets))
    zf.writestr(
        "_rels/.rels",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    )
    zf.writestr("xl/workbook.xml", _workbook(names))
    zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(sheets))
    zf.close()
    yield sink.take()


def _chain(first, rest):
    yield first
    yield from rest


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>' + overrides + "</Types>"
    )


def _workbook(names: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, n in enumerate(names, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(sheets: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}</Relationships>"
    )
