"""A streaming .xlsx writer for large result workbooks: rows go straight into the zip as SpreadsheetML.

openpyxl builds every cell as an object (≈ 10 s for the 235,000 explanation rows of 2,000 units); here a row is
one string. It writes what the results workbook needs and nothing more: text (inline strings, so a text is never
a formula), numbers, booleans, a bold filled header row frozen at the top, column widths and a few solid fills.
Text still goes through ``xlsx_text.safe`` so a workbook reads the same as before; characters XML cannot hold
(control characters) are dropped. A sheet holds at most :data:`MAX_ROWS` rows (Excel's limit).

    with StreamWorkbook(tmp) as wb:                  # inside files.write_atomically: all or nothing
        ws = wb.sheet("名单", widths=[6, 12])
        ws.header(["排名", "单位"])
        ws.row([1, "甲区"], styles={1: "优秀"})      # a named fill of FILLS on column index 1
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from kaohe.core.xlsx_text import safe

MAX_ROWS = 1_048_576  # rows per sheet in Excel, header included
HEADER_FILL = "DDEBF7"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Sheet:
    def __init__(self, book: StreamWorkbook, name: str, fh: IO[bytes], widths: Sequence[float]) -> None:
        self.book, self.name, self._fh = book, name, fh
        self.rows = 0
        self._letters: list[str] = []
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
        self._write(
            f'{_XML}<worksheet {_NS} {_NS_R}><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}<sheetData>'
        )

    def _write(self, text: str) -> None:
        self._fh.write(text.encode("utf-8"))

    def row(self, values: Sequence[Any], styles: dict[int, str] | None = None, style: int = 0) -> None:
        """One row; ``styles`` maps a column index (0-based) to a fill name of the workbook."""
        if self.rows >= MAX_ROWS:
            raise ValueError(f"sheet {self.name} is full ({MAX_ROWS} rows)")
        self.rows += 1
        letters = self._letters
        while len(letters) < len(values):
            letters.append(column_letter(len(letters) + 1))
        r = str(self.rows)
        fills = {i: self.book.style_of(name) for i, name in styles.items()} if styles else None
        parts = [f'<row r="{r}">']
        for i, value in enumerate(values):
            st = fills.get(i, style) if fills else style
            s = f' s="{st}"' if st else ""
            kind = type(value)
            if value is None or (kind is str and not value):  # an empty text is an empty cell, as openpyxl writes it
                if st:
                    parts.append(f'<c r="{letters[i]}{r}"{s}/>')
            elif kind is float or kind is int:
                if math.isfinite(value):
                    parts.append(f'<c r="{letters[i]}{r}"{s}><v>{value!r}</v></c>')
            elif kind is bool:
                parts.append(f'<c r="{letters[i]}{r}"{s} t="b"><v>{int(value)}</v></c>')
            else:
                text = str(safe(value))
                if _ILLEGAL.search(text):
                    text = _ILLEGAL.sub("", text)
                space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
                parts.append(f'<c r="{letters[i]}{r}"{s} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>')
        parts.append("</row>")
        self._write("".join(parts))

    def header(self, labels: Sequence[str]) -> None:
        """The header row: bold, filled, wrapped (frozen by the sheet view)."""
        self.row(list(labels), style=1)

    def close(self) -> None:
        self._write("</sheetData></worksheet>")
        self._fh.close()


class StreamWorkbook:
    """A workbook written sheet by sheet; one sheet is open at a time. Fills are named colours (RRGGBB)."""

    def __init__(self, path: str | Path, fills: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self._zip = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._fills = dict(fills or {})
        self._styles = {name: index for index, name in enumerate(self._fills, start=2)}  # 0 plain, 1 header
        self._sheets: list[str] = []
        self._open: Sheet | None = None

    def style_of(self, fill: str) -> int:
        return self._styles.get(fill, 0)

    def sheet(self, name: str, widths: Iterable[float] = ()) -> Sheet:
        if self._open is not None:
            self._open.close()
        name = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
        self._sheets.append(name)
        fh = self._zip.open(f"xl/worksheets/sheet{len(self._sheets)}.xml", "w", force_zip64=True)
        self._open = Sheet(self, name, fh, list(widths))
        return self._open

    def _finish(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None
        n = len(self._sheets)
        z = self._zip
        z.writestr(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, n + 1)
            )
            + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(self._sheets, start=1)
        )
        z.writestr("xl/workbook.xml", f"{_XML}<workbook {_NS} {_NS_R}><sheets>{sheets}</sheets></workbook>")
        rels = "".join(
            f'<Relationship Id="rId{i}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        rels += (
            f'<Relationship Id="rId{n + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>",
        )
        colours = [HEADER_FILL, *self._fills.values()]
        fills = '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
        fills += "".join(
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c}"/><bgColor indexed="64"/></patternFill></fill>'
            for c in colours
        )
        xfs = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        xfs += (
            '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
            'applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
        )
        xfs += "".join(
            f'<xf numFmtId="0" fontId="0" fillId="{i}" borderId="0" xfId="0" applyFill="1"/>'
            for i in range(3, 3 + len(self._fills))
        )
        z.writestr(
            "xl/styles.xml",
            f"{_XML}<styleSheet {_NS}>"
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            f'<fills count="{2 + len(colours)}">{fills}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{2 + len(self._fills)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>",
        )
        z.close()

    def __enter__(self) -> StreamWorkbook:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self._finish()
        else:
            self._zip.close()
