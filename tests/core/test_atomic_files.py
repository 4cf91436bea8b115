"""Atomic writes with ordinary file modes (issue 9 §1, ``kaohe.core.files``): every output file the command line
writes gets 0o666 less the umask (0644 under 022, 0640 under 027), never mkstemp's 0600, and a failed write
leaves the target as it was and no temporary file behind."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kaohe.cli import main
from kaohe.core.files import atomic_paths, write_atomically

MINI = Path(__file__).parent / "data" / "mini.yaml"
HEADER = "unit_id,unit_name,sequence,sections,missed,infv,met,improved,aqi,aqi_e,aqi_s,incident"
ROW = "a,甲区,d,A;B,2;1,1;0,false;true,1,88,92,95,否"
WATER = "section_id,section_name,unit_id,waterbody,target_class,section_level,year,month,nh3n,tp"


@pytest.fixture
def umask() -> Iterator[None]:
    """Each test sets the umask it needs; the process's own is restored after it."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_0644_under_umask_022_and_0640_under_027(tmp_path: Path, umask: None) -> None:
    write_atomically(tmp_path / "a.csv", lambda p: p.write_text("x\n", encoding="utf-8"))
    assert mode(tmp_path / "a.csv") == 0o644  # 0o666 & ~0o022
    os.umask(0o027)
    write_atomically(tmp_path / "b.csv", lambda p: p.write_text("x\n", encoding="utf-8"))
    assert mode(tmp_path / "b.csv") == 0o640  # 0o666 & ~0o027
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_a_writer_that_narrows_the_mode_still_leaves_an_ordinary_file(tmp_path: Path, umask: None) -> None:
    def private(p: Path) -> None:
        p.write_text("x\n", encoding="utf-8")
        p.chmod(0o600)

    write_atomically(tmp_path / "a.csv", private)
    assert mode(tmp_path / "a.csv") == 0o644


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")

    def fail(p: Path) -> None:
        p.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, fail)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_several_files_are_written_all_or_nothing(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    with pytest.raises(RuntimeError), atomic_paths(first, second) as (tmp_a, tmp_b):
        tmp_a.write_text("a\n", encoding="utf-8")
        raise RuntimeError("the second table failed")
    assert list(tmp_path.iterdir()) == []
    with atomic_paths(first, second) as (tmp_a, tmp_b):
        assert tmp_a.parent == tmp_b.parent == tmp_path and tmp_a.suffix == ".csv"  # beside the target
        tmp_a.write_text("a\n", encoding="utf-8")
        tmp_b.write_text("b\n", encoding="utf-8")
    assert (first.read_text(encoding="utf-8"), second.read_text(encoding="utf-8")) == ("a\n", "b\n")


def test_every_command_line_output_is_0644_under_umask_022(tmp_path: Path, umask: None) -> None:
    inputs = tmp_path / "in.csv"
    inputs.write_text(f"{HEADER}\n{ROW}\n", encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_text("unit_id,unit_name,sequence\na,甲区,d\n", encoding="utf-8")
    water = tmp_path / "water.csv"
    water.write_text(
        WATER + "\n" + "".join(f"S1,甲,U1,river,III,provincial,2020,{m},0.8,0.1\n" for m in range(1, 13)),
        encoding="utf-8",
    )
    air = tmp_path / "air.csv"
    air.write_text(
        "station_id,city_id,timestamp,so2,no2,pm10,pm25,co,o3\n"
        + "".join(f"S1,C1,2023-03-01 {h:02d}:00,10,20,40,30,0.6,60\n" for h in range(24)),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    runs = {
        "r.csv": ["score", "--scheme", str(MINI), "--inputs", str(inputs), "--out", str(out / "r.csv")],
        "r.json": ["score", "--scheme", str(MINI), "--inputs", str(inputs), "--out", str(out / "r.json")],
        "r.xlsx": ["score", "--scheme", str(MINI), "--inputs", str(inputs), "--out", str(out / "r.xlsx")],
        "t.xlsx": ["inputs-template", "--scheme", str(MINI), "--units", str(units), "--out", str(out / "t.xlsx")],
        "w.csv": ["water", "evaluate", str(water), "--year", "2020", "--out", str(out / "w.csv")],
        "a.csv": ["air", "evaluate", str(air), "--by", "city_id", "--out", str(out / "a.csv")],
    }
    for args in runs.values():
        assert main(args) == 0, args
    written = {p.name: oct(mode(p)) for p in out.iterdir()}
    assert written == dict.fromkeys([*runs, "w_units.csv"], oct(0o644))
