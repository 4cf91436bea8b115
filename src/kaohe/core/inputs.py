"""Check a per-unit inputs table against a scheme: columns, kinds, ranges, duplicates, sequences, list lengths.

    check_inputs(scheme, frame)      every mistake found ⇒ InputTableError; else the frame with every input
                                     column in its declared dtype (``kaohe.core.values``)

Text columns are parsed column by column (``values.parse_column``, Polars expressions), never cell by cell.
"""

from __future__ import annotations

import polars as pl

from kaohe.core import values
from kaohe.core.exceptions import InputTableError, Problem
from kaohe.core.scheme import InputDef, Scheme

MAX_REPORTED = 20  # problems reported per column and kind of mistake


def check_inputs(scheme: Scheme, frame: pl.DataFrame, file: str | None = None) -> pl.DataFrame:
    """Validate a per-unit inputs table and return it with every input column in its declared type.

    Every problem is reported (not just the first), with the 1-based table row (header = row 1).
    """
    problems: list[Problem] = []
    for col in ("unit_id", "sequence"):
        if col not in frame.columns:
            problems.append(Problem(f"missing column {col!r}", file=file, column=col))
    if problems:
        raise InputTableError(problems)
    frame = frame.with_columns(pl.col("unit_id").cast(pl.String), pl.col("sequence").cast(pl.String))
    if "unit_name" not in frame.columns:
        frame = frame.with_columns(pl.col("unit_id").alias("unit_name"))
    dup = frame.with_row_index("_row").filter(pl.col("unit_id").is_duplicated())
    for row in dup.iter_rows(named=True):
        problems.append(
            Problem(
                f"单位 “{row['unit_id']}” 重复出现 (duplicate unit {row['unit_id']!r})",
                file=file,
                line=row["_row"] + 2,
                column="unit_id",
                expected="每个单位一行 (one row per unit)",
                found=str(row["unit_id"]),
            )
        )
    known = set(scheme.sequence_ids())
    bad_seq = frame.with_row_index("_row").filter(~pl.col("sequence").is_in(list(known)))
    for row in bad_seq.iter_rows(named=True):
        problems.append(
            Problem(
                f"未知序列 “{row['sequence']}”，应为 {'、'.join(sorted(known))} 之一 "
                f"(unknown sequence {row['sequence']!r}; expected one of {sorted(known)})",
                file=file,
                line=row["_row"] + 2,
                column="sequence",
                expected=f"{'、'.join(sorted(known))} 之一 (one of {sorted(known)})",
                found=str(row["sequence"]),
            )
        )
    casts = []
    ranged: list[InputDef] = []
    if scheme.bonus_cap_input is not None and scheme.bonus_cap_input not in frame.columns:
        # a decision to exceed the usual cap is the exception: a table without the column has made none
        frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(scheme.bonus_cap_input))
    # text columns ("是", "2;0;1", "95%"): one columnar pass, the grammar of input files (kaohe.core.values)
    schema = frame.schema  # once: Polars builds it on every access
    text_specs = [
        spec for spec in scheme.inputs if schema.get(spec.id) == pl.String and values.input_dtype(spec) != pl.String
    ]
    parsed, bad_cells = values.parse_frame(text_specs, frame)
    unreadable: dict[str, int] = {}
    for spec, index, text, expected in bad_cells:
        unreadable[spec.id] = unreadable.get(spec.id, 0) + 1
        if unreadable[spec.id] <= MAX_REPORTED:
            problems.append(
                Problem(
                    values.not_valid(text, expected),
                    file=file,
                    line=index + 2,
                    column=spec.id,
                    expected=str(expected),
                    found=str(text),
                )
            )
    if parsed.width:
        frame = frame.with_columns(parsed)
    for spec in scheme.inputs:
        if spec.id not in frame.columns:
            problems.append(Problem(f"missing column {spec.id!r} ({spec.name})", file=file, column=spec.id))
            continue
        dtype = values.input_dtype(spec)
        if spec.id in unreadable:
            continue
        series = frame.get_column(spec.id)
        try:
            casted = series.cast(dtype, strict=True)
        except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError):
            casted = series.cast(dtype, strict=False)
            bad = frame.with_row_index("_row").filter(series.is_not_null() & casted.is_null())
            for row in bad.head(20).iter_rows(named=True):
                what = values.expected(spec.kind, values._item_kind(spec))
                problems.append(
                    Problem(
                        f"“{row[spec.id]}” 不是{what.zh} ({row[spec.id]!r} is not a {spec.kind})",
                        file=file,
                        line=row["_row"] + 2,
                        column=spec.id,
                        expected=str(what),
                        found=str(row[spec.id]),
                    )
                )
            continue
        ranged.append(spec)
        casts.append(casted.alias(spec.id))
    problems += _all_range_problems(ranged, pl.DataFrame(casts) if casts else pl.DataFrame(), file)
    if not problems:
        problems += _list_length_problems(scheme, frame.with_columns(casts), file)
    if problems:
        raise InputTableError(problems)
    return frame.with_columns(casts) if casts else frame


def _list_length_problems(scheme: Scheme, frame: pl.DataFrame, file: str | None) -> list[Problem]:
    """List inputs read together (one value per section) must have the same length in each row."""
    from kaohe.core.rules import Deduct

    problems: list[Problem] = []
    for node in scheme.nodes():
        rule = node.rule
        if not isinstance(rule, Deduct) or rule.each is None:
            continue
        names = rule.each.names
        group = [str(e.input) for e in rule.events] + [x for x in (rule.each.waive_if, rule.each.factor_if) if x]
        group += [e.per_by.input for e in rule.events if e.per_by]
        for other in dict.fromkeys(group):
            bad = frame.with_row_index("_row").filter(
                pl.col(names).is_not_null()
                & pl.col(other).is_not_null()
                & (pl.col(names).list.len() != pl.col(other).list.len())
            )
            for row in bad.head(20).iter_rows(named=True):
                problems.append(
                    Problem(
                        f"has {len(row[other])} values but {names!r} lists {len(row[names])} sections "
                        f"(indicator {node.id})",
                        file=file,
                        line=row["_row"] + 2,
                        column=other,
                    )
                )
    return problems


def _all_range_problems(specs: list[InputDef], typed: pl.DataFrame, file: str | None) -> list[Problem]:
    """Ranges and choices of every column decided in one parallel pass; only a column with a value out of range is
    walked to locate its rows."""
    checks = []
    for spec in specs:
        kind = values._item_kind(spec) if spec.kind == "list" else spec.kind
        column = pl.col(spec.id).explode() if spec.kind == "list" else pl.col(spec.id)
        checks.append(values.range_expr(spec, kind, column).any().alias(spec.id))
    if not checks:
        return []
    flags = typed.select(checks).row(0, named=True)
    problems: list[Problem] = []
    for spec in specs:
        if flags[spec.id]:
            problems += _range_problems(spec, typed.get_column(spec.id), file)
    return problems


def _range_problems(spec: InputDef, col: pl.Series, file: str | None) -> list[Problem]:
    kind = values._item_kind(spec) if spec.kind == "list" else spec.kind
    flat = col.explode() if spec.kind == "list" else col
    if not flat.to_frame("v").select(values.range_expr(spec, kind, pl.col("v")).any()).item():
        return []  # the common case, decided in one vectorised pass
    rows = pl.DataFrame({"v": col}).with_row_index("_row")
    if spec.kind == "list":
        rows = rows.explode("v")
    bad = rows.filter(values.range_expr(spec, kind, pl.col("v")) & pl.col("v").is_not_null()).head(MAX_REPORTED)
    problems: list[Problem] = []
    for row in bad.iter_rows(named=True):
        if kind in ("number", "integer"):
            want = values.range_text(spec, kind)
            message = values.out_of_range_text(row["v"], spec, kind)
        else:
            want = values.choices_text(spec)
            message = values.not_a_choice(row["v"], spec)
        problems.append(
            Problem(message, file=file, line=row["_row"] + 2, column=spec.id, expected=str(want), found=f"{row['v']}")
        )
    return problems
