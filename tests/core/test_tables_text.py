"""CSV inputs: the encodings Chinese offices save (UTF-8, with BOM, GBK), quoted fields, and what is refused
(issue 9 §2: never mojibake; a short row is an error, not missing values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.core.exceptions import InputTableError
from kaohe.core.scheme import load_scheme_file
from kaohe.core.tables import read_inputs, read_raw

MINI = Path(__file__).parent / "data" / "mini.yaml"
HEADER = "unit_id,unit_name,sequence,sections,missed,infv,met,improved,aqi,aqi_e,aqi_s,incident"
ROWS = [
    "a,萧山区,d,浦阳江;东段,2;1,1;0,false;true,1,88,92,95,否",
    'b,"余杭区,临平",d,A,0,0,true,5,93.5,92,95,否',  # a quoted name holding the separator is one field
]
TEXT = "\n".join([HEADER, *ROWS]) + "\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_text_reads_the_same_in_every_encoding_excel_saves(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(TEXT.encode(encoding))
    frame = read_inputs(load_scheme_file(MINI), path)
    assert frame.get_column("unit_name").to_list() == ["萧山区", "余杭区,临平"]
    assert frame.get_column("sections").to_list() == [["浦阳江", "东段"], ["A"]]
    assert frame.get_column("incident").to_list() == [False, False]


def test_bytes_that_are_neither_utf8_nor_chinese_are_refused_where_they_are(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes((HEADER + "\n").encode() + b"a,caf" + b"\xe9" + ",d,A,0,0,true,1,88,92,95,否\n".encode())
    with pytest.raises(InputTableError) as err:
        read_raw(path)
    (problem,) = err.value.problems
    assert (problem.row, problem.found) == (2, "0xE9") and "not UTF-8" in problem.message


def test_rows_with_too_few_or_too_many_fields_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    short = ",".join(ROWS[0].split(",")[:10])  # 10 of 12 fields
    long = ROWS[0].replace("a,", "c,", 1) + ",extra"  # 13 of 12
    path.write_text("\n".join([HEADER, short, ROWS[1], long]) + "\n", encoding="utf-8")
    with pytest.raises(InputTableError) as err:
        read_raw(path)
    assert [(p.row, p.message) for p in err.value.problems] == [(2, "has 10 of 12 fields"), (4, "has 13 of 12 fields")]


def test_a_header_without_units_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    with pytest.raises(InputTableError) as err:
        read_inputs(load_scheme_file(MINI), path)
    assert [(p.row, p.message) for p in err.value.problems] == [(2, "the table has a header row but no units")]
