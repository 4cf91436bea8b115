"""Writes the .xlsx and the restore/*.zip cases of this corpus (binary, so they are made rather than typed): run from
the repository root with ``.venv/bin/python tests/bad_inputs/make_xlsx_cases.py``. The files are committed; this
records how."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
AIR: list[list[object]] = [
    ["station_id", "city_id", "timestamp", "so2", "no2", "pm10", "pm25", "co", "o3"],
    ["S1", "C1", "2020-01-01 00:00", 10, 20, 40, 20, 0.5, 60],
    ["S1", "C1", "2020-01-01 01:00", 11, 21, 41, 21, 0.6, 61],
]


def _book(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def main() -> None:
    good = _book(AIR)
    water_rows = [line.split(",") for line in (HERE / "water_evaluate" / "ph_20.csv").read_text().splitlines()]
    for row in water_rows[1:]:
        row[water_rows[0].index("ph")] = "7.5"  # a valid pH: only the truncation is wrong
    for folder, data in (("air_evaluate", good), ("water_evaluate", _book(water_rows))):
        (HERE / folder / "truncated.xlsx").write_bytes(data[: len(data) // 2])  # a download cut off halfway
    # A workbook whose members unpack to 2 MB (the corpus test sets KAOHE_MAX_UNPACKED_MB=1; the default bound is
    # 1 GiB, and an .xlsx inflating to 1.5 GB is the same case at full size).
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            dst.writestr(entry, src.read(entry))
        dst.writestr("xl/media/padding.bin", b"\0" * (2 * 1024 * 1024))
    (HERE / "air_evaluate" / "inflating.xlsx").write_bytes(out.getvalue())
    # A zip named .xlsx that holds no workbook (calamine's error was a traceback).
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        dst.writestr("notes.txt", "监测数据见附件")
    for folder in ("air_evaluate", "water_evaluate"):
        (HERE / folder / "not_a_workbook.xlsx").write_bytes(out.getvalue())

    score_cases()
    restore_cases()


def restore_cases() -> None:
    """``kaohe restore`` archives, refused before the database is touched. Each holds a manifest.json as a real
    backup does, so only the named defect is wrong. The corpus test sets KAOHE_MAX_UNPACKED_MB=1."""
    manifest = b'{"format": "kaohe-backup", "format_version": 1, "migrations": [], "tables": {}, "media": []}'

    def archive(*members: tuple[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            dst.writestr("manifest.json", manifest)
            for name, body in members:
                dst.writestr(name, body)
        return out.getvalue()

    folder = HERE / "restore"
    good = archive(("data/assessments.unit.jsonl", b'[1, "A", "\u7532\u5e02"]\n' * 200))
    (folder / "truncated.zip").write_bytes(good[: len(good) // 2])  # a copy cut off halfway
    (folder / "not_a_zip.zip").write_bytes("备份文件：见服务器 /srv/backups\n".encode())
    # One member of 2 MB of zeros in 2 KB: a zip bomb scaled down 1,024 times, as the bound is (1 GiB by default).
    (folder / "zip_bomb.zip").write_bytes(archive(("media/evidence/bomb.pdf", b"\0" * (2 * 1024 * 1024))))
    # Three members of 0.9 MB each: every one within the bound, together 2.7 MB from a few KB.
    parts = [(f"media/evidence/part{i}.pdf", b"\0" * (900 * 1024)) for i in range(3)]
    (folder / "many_members.zip").write_bytes(archive(*parts))
    (folder / "escaping_member.zip").write_bytes(archive(("../../x", b"escaped")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        dst.writestr("notes.txt", "不是备份")
    (folder / "no_manifest.zip").write_bytes(out.getvalue())


def score_cases() -> None:
    """``kaohe score`` inputs whose one bad cell calamine would read as empty: the ``inf`` cell of
    score_inputs/inf_cell.csv (row 3, pm25_strive) becomes a formula error (#DIV/0! cached by Excel) or a formula
    no program calculated (openpyxl writes formulas without values)."""
    rows = [
        line.split(",") for line in (HERE / "score_inputs" / "inf_cell.csv").read_text(encoding="utf-8").splitlines()
    ]
    column = rows[0].index("pm25_strive")
    rows[2][column] = "=1/0"
    data = _book(rows)
    (HERE / "score_inputs" / "uncalculated.xlsx").write_bytes(data)
    ref = f"{_letters(column + 1)}3".encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            body = src.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(
                    b'<c r="' + ref + b'"><f>1/0</f><v></v></c>',
                    b'<c r="' + ref + b'" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
                )
                assert b"#DIV/0!" in body
            dst.writestr(entry, body)
    (HERE / "score_inputs" / "div0.xlsx").write_bytes(out.getvalue())
    merged_case(rows, column)


def merged_case(rows: list[list[str]], column: int) -> None:
    """The same table with a valid pm25_strive and its sequence column merged over the three units (C2:C4): calamine
    read the second and third units' sequence as empty."""
    rows[2][column] = rows[1][column]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("C2:C4")
    book.save(HERE / "score_inputs" / "merged_cells.xlsx")


def _letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


if __name__ == "__main__":
    main()
