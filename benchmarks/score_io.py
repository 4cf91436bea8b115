"""``kaohe score`` end to end against its baselines, measured in the same run (issue 9 §4).

    .venv/bin/python benchmarks/score_io.py [--csv-units 40000] [--xlsx-units 3000] [--big-units 20000]

1. 40,000 units, CSV in → CSV out, against ``kaohe.score`` alone on the same frame        (target ≤ 2×)
   best of 3 runs each, as wall time and as this process's CPU time (steadier on a shared machine)
2. 3,000 units, .xlsx in → formatted .xlsx out with the explanations sheet, against reading the same workbook
   (calamine) plus writing the output's cells with the bare streaming writer, no styles       (target ≤ 3×)
3. 20,000 units, .xlsx in → formatted .xlsx out: wall time                                  (floor: < 60 s)

Inputs come from ``kaohe.core.synthetic`` (seeded, 1 % of cells missing), lists written as ``2;0;1``. The
command runs in this process (``kaohe.cli.main``) with its printed ranking sent to /dev/null.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import fastexcel
import polars as pl

import kaohe
from kaohe.cli import main as kaohe_main
from kaohe.core.scheme import Scheme
from kaohe.core.synthetic import synthetic_inputs
from kaohe.core.xlsx_stream import StreamWorkbook


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """The typed frame as a person's table holds it: lists as 2;0;1, yes/no as true/false."""
    return frame.with_columns(
        pl.col(c).cast(pl.List(pl.String)).list.join(";") if isinstance(d, pl.List) else pl.col(c).cast(pl.String)
        for c, d in frame.schema.items()
    )


def write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    with StreamWorkbook(path) as wb:
        ws = wb.sheet("填报")
        ws.header(frame.columns)
        for row in frame.iter_rows():
            ws.row(row)


def timed(run: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    run()
    return time.perf_counter() - t0


def cli(*args: str) -> None:
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        code = kaohe_main(list(args))
    if code != 0:
        raise SystemExit(f"kaohe {' '.join(args)} exited {code}")


def bare_write(source: Path, out: Path) -> float:
    """Seconds to write every cell of ``source`` (the command's output) with the bare writer: no styles, widths
    or panes. The cells are read first, untimed."""
    sheets = fastexcel.read_excel(str(source))
    frames = [(name, sheets.load_sheet(name, dtypes="string").to_polars()) for name in sheets.sheet_names]
    t0 = time.perf_counter()
    with StreamWorkbook(out) as wb:
        for name, frame in frames:
            ws = wb.sheet(name)
            ws.row(frame.columns)
            for row in frame.iter_rows():
                ws.row(row)
    return time.perf_counter() - t0


def cpu_timed(run: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, all threads): on a shared machine the CPU time of a run does not
    depend on what else the machine runs, so its ratio is the steadier one."""
    w0, c0 = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - w0, time.process_time() - c0


def csv_case(scheme: Scheme, n: int, tmp: Path) -> None:
    frame = synthetic_inputs(scheme, n, seed=2020, missing_share=0.01)
    source = tmp / "inputs.csv"
    as_text(frame).write_csv(source)
    kaohe.score(scheme, frame.head(100))  # warm-up
    alone = [cpu_timed(lambda: kaohe.score(scheme, frame)) for _ in range(3)]
    end_to_end = [
        cpu_timed(lambda: cli("score", "--scheme", scheme.id, "--inputs", str(source), "--out", str(tmp / "r.csv")))
        for _ in range(3)
    ]
    wall_e, wall_a = min(w for w, _ in end_to_end), min(w for w, _ in alone)
    cpu_e, cpu_a = min(c for _, c in end_to_end), min(c for _, c in alone)
    print(
        f"1. {n:,} units CSV → CSV: kaohe score {wall_e:.2f} s, kaohe.score alone {wall_a:.2f} s: "
        f"{wall_e / wall_a:.2f}× wall, {cpu_e / cpu_a:.2f}× CPU ({cpu_e:.2f} / {cpu_a:.2f} s)"
        "   (target ≤ 2×; best of 3 runs each)"
    )


def xlsx_case(scheme: Scheme, n: int, tmp: Path) -> None:
    frame = synthetic_inputs(scheme, n, seed=2021, missing_share=0.01)
    source = tmp / f"inputs-{n}.xlsx"
    write_xlsx(as_text(frame), source)
    out = tmp / f"results-{n}.xlsx"
    end_to_end = timed(lambda: cli("score", "--scheme", scheme.id, "--inputs", str(source), "--out", str(out)))
    read = timed(lambda: fastexcel.read_excel(str(source)).load_sheet(0, dtypes="string").to_polars())
    write = bare_write(out, tmp / "bare.xlsx")
    baseline = read + write
    book = fastexcel.read_excel(str(out))
    cells = sum(sheet.height * sheet.width for sheet in (book.load_sheet(n, dtypes="string") for n in book.sheet_names))
    print(
        f"2. {n:,} units .xlsx → formatted .xlsx ({cells:,} cells): kaohe score {end_to_end:.2f} s, "
        f"read + bare write {baseline:.2f} s ({read:.2f} + {write:.2f}): "
        f"{end_to_end / baseline:.2f}×   (target ≤ 3×)"
    )


def big_case(scheme: Scheme, n: int, tmp: Path) -> None:
    frame = synthetic_inputs(scheme, n, seed=2022, missing_share=0.01)
    source = tmp / f"inputs-{n}.xlsx"
    write_xlsx(as_text(frame), source)
    wall = timed(lambda: cli("score", "--scheme", scheme.id, "--inputs", str(source), "--out", str(tmp / "big.xlsx")))
    print(f"3. {n:,} units .xlsx → formatted .xlsx: {wall:.1f} s wall   (floor: < 60 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scheme", default="xx-city-2020")
    parser.add_argument("--csv-units", type=int, default=40_000)
    parser.add_argument("--xlsx-units", type=int, default=3_000)
    parser.add_argument("--big-units", type=int, default=20_000)
    args = parser.parse_args()
    scheme = kaohe.load_scheme(args.scheme)
    print(f"scheme {scheme.id}: {len(scheme.inputs)} inputs, {len(list(scheme.nodes()))} indicators")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.csv_units:
            csv_case(scheme, args.csv_units, tmp)
        if args.xlsx_units:
            xlsx_case(scheme, args.xlsx_units, tmp)
        if args.big_units:
            big_case(scheme, args.big_units, tmp)


if __name__ == "__main__":
    main()
