"""The web app reads values and builds frames with the core's vocabulary (kaohe.core.values, issue 9 §1)."""

from __future__ import annotations

import polars as pl
import pytest

from kaohe.assessments import evaluation, schemes
from kaohe.core import values


def test_the_evaluation_frame_has_the_core_dtypes() -> None:
    scheme = schemes.load("xx-city-2020")
    frame = evaluation.frame_from_rows(scheme, [{"unit_id": "U1", "sequence": "district", "wq_months_missed": [2, 0]}])
    for inp in scheme.inputs:
        assert frame.schema[inp.id] == values.input_dtype(inp), inp.id
    counts = [inp for inp in scheme.inputs if inp.kind == "integer"]
    assert counts and all(frame.schema[inp.id] == pl.Float64 for inp in counts)  # was Int64 here, Float64 in the core


def test_forms_read_full_width_numbers() -> None:
    scheme = schemes.load("xx-city-2020")
    rate = schemes.input_def(scheme, "drinking_rate")
    months = schemes.input_def(scheme, "wq_months_missed")
    assert schemes.coerce_value(rate, "９５．５％") == 95.5
    assert schemes.coerce_value(months, "２；０；１") == [2, 0, 1]
    with pytest.raises(ValueError, match="不能大于 12"):
        schemes.coerce_value(months, "２；１３")
