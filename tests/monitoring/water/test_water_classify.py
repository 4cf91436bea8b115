"""GB 3838-2002 single-factor classification. Every expected class below is read off 表1 by hand: a value equal to
a limit meets it, a value just past it falls to the next class whose limit it meets."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.monitoring.water import LIMITS, classify, classify_frame

# (parameter, waterbody, value, expected class); 表1 项4-23, class limits I..V in the comment of each block.
LIMIT_CASES = [
    # 项4 高锰酸盐指数 ≤ 2 4 6 10 15
    *[("codmn", "river", v, c) for v, c in [(2, "I"), (2.1, "II"), (4, "II"), (4.1, "III"), (6, "III"),
                                            (6.1, "IV"), (10, "IV"), (10.1, "V"), (15, "V"), (15.1, "劣V")]],
    # 项5 化学需氧量 ≤ 15 15 20 30 40 (I and II share 15: the better class wins)
    *[("cod", "river", v, c) for v, c in [(15, "I"), (15.1, "III"), (20, "III"), (20.1, "IV"), (30, "IV"),
                                          (30.1, "V"), (40, "V"), (40.1, "劣V")]],
    # 项6 五日生化需氧量 ≤ 3 3 4 6 10
    *[("bod5", "river", v, c) for v, c in [(3, "I"), (3.1, "III"), (4, "III"), (4.1, "IV"), (6, "IV"),
                                           (6.1, "V"), (10, "V"), (10.1, "劣V")]],
    # 项7 氨氮 ≤ 0.15 0.5 1.0 1.5 2.0
    *[("nh3n", "river", v, c) for v, c in [(0.15, "I"), (0.16, "II"), (0.5, "II"), (0.51, "III"), (1.0, "III"),
                                           (1.01, "IV"), (1.5, "IV"), (1.51, "V"), (2.0, "V"), (2.01, "劣V")]],
    # 项8 总磷 ≤ 0.02 0.1 0.2 0.3 0.4 (rivers)
    *[("tp", "river", v, c) for v, c in [(0.02, "I"), (0.021, "II"), (0.1, "II"), (0.101, "III"), (0.2, "III"),
                                         (0.201, "IV"), (0.3, "IV"), (0.301, "V"), (0.4, "V"), (0.401, "劣V")]],
    # 项8 总磷, 湖、库 ≤ 0.01 0.025 0.05 0.1 0.2
    *[("tp", "lake", v, c) for v, c in [(0.01, "I"), (0.011, "II"), (0.025, "II"), (0.026, "III"), (0.05, "III"),
                                        (0.051, "IV"), (0.1, "IV"), (0.101, "V"), (0.2, "V"), (0.201, "劣V")]],
    # 项9 总氮 (湖、库) ≤ 0.2 0.5 1.0 1.5 2.0
    *[("tn", "lake", v, c) for v, c in [(0.2, "I"), (0.21, "II"), (0.5, "II"), (0.51, "III"), (1.0, "III"),
                                        (1.01, "IV"), (1.5, "IV"), (1.51, "V"), (2.0, "V"), (2.01, "劣V")]],
    # 项10 铜 ≤ 0.01 1.0 1.0 1.0 1.0
    *[("cu", "river", v, c) for v, c in [(0.01, "I"), (0.011, "II"), (1.0, "II"), (1.01, "劣V")]],
    # 项11 锌 ≤ 0.05 1.0 1.0 2.0 2.0
    *[("zn", "river", v, c) for v, c in [(0.05, "I"), (0.051, "II"), (1.0, "II"), (1.01, "IV"), (2.0, "IV"),
                                         (2.01, "劣V")]],
    # 项12 氟化物 ≤ 1.0 1.0 1.0 1.5 1.5
    *[("fluoride", "river", v, c) for v, c in [(1.0, "I"), (1.01, "IV"), (1.5, "IV"), (1.51, "劣V")]],
    # 项13 硒 ≤ 0.01 0.01 0.01 0.02 0.02
    *[("se", "river", v, c) for v, c in [(0.01, "I"), (0.011, "IV"), (0.02, "IV"), (0.021, "劣V")]],
    # 项14 砷 ≤ 0.05 0.05 0.05 0.1 0.1
    *[("as", "river", v, c) for v, c in [(0.05, "I"), (0.051, "IV"), (0.1, "IV"), (0.11, "劣V")]],
    # 项15 汞 ≤ 0.00005 0.00005 0.0001 0.001 0.001
    *[("hg", "river", v, c) for v, c in [(0.00005, "I"), (0.00006, "III"), (0.0001, "III"), (0.00011, "IV"),
                                         (0.001, "IV"), (0.0011, "劣V")]],
    # 项16 镉 ≤ 0.001 0.005 0.005 0.005 0.01
    *[("cd", "river", v, c) for v, c in [(0.001, "I"), (0.0011, "II"), (0.005, "II"), (0.0051, "V"), (0.01, "V"),
                                         (0.011, "劣V")]],
    # 项17 铬(六价) ≤ 0.01 0.05 0.05 0.05 0.1
    *[("cr6", "river", v, c) for v, c in [(0.01, "I"), (0.011, "II"), (0.05, "II"), (0.051, "V"), (0.1, "V"),
                                          (0.11, "劣V")]],
    # 项18 铅 ≤ 0.01 0.01 0.05 0.05 0.1
    *[("pb", "river", v, c) for v, c in [(0.01, "I"), (0.011, "III"), (0.05, "III"), (0.051, "V"), (0.1, "V"),
                                         (0.11, "劣V")]],
    # 项19 氰化物 ≤ 0.005 0.05 0.2 0.2 0.2
    *[("cyanide", "river", v, c) for v, c in [(0.005, "I"), (0.006, "II"), (0.05, "II"), (0.051, "III"),
                                              (0.2, "III"), (0.21, "劣V")]],
    # 项20 挥发酚 ≤ 0.002 0.002 0.005 0.01 0.1
    *[("phenol", "river", v, c) for v, c in [(0.002, "I"), (0.0021, "III"), (0.005, "III"), (0.0051, "IV"),
                                             (0.01, "IV"), (0.011, "V"), (0.1, "V"), (0.11, "劣V")]],
    # 项21 石油类 ≤ 0.05 0.05 0.05 0.5 1.0
    *[("petroleum", "river", v, c) for v, c in [(0.05, "I"), (0.051, "IV"), (0.5, "IV"), (0.51, "V"),
                                                (1.0, "V"), (1.01, "劣V")]],
    # 项22 阴离子表面活性剂 ≤ 0.2 0.2 0.2 0.3 0.3
    *[("las", "river", v, c) for v, c in [(0.2, "I"), (0.21, "IV"), (0.3, "IV"), (0.31, "劣V")]],
    # 项23 硫化物 ≤ 0.05 0.1 0.2 0.5 1.0
    *[("sulfide", "river", v, c) for v, c in [(0.05, "I"), (0.051, "II"), (0.1, "II"), (0.11, "III"), (0.2, "III"),
                                              (0.21, "IV"), (0.5, "IV"), (0.51, "V"), (1.0, "V"), (1.01, "劣V")]],
    # 项3 溶解氧 ≥ 7.5 6 5 3 2: higher is better
    *[("do", "river", v, c) for v, c in [(7.5, "I"), (7.4, "II"), (6, "II"), (5.9, "III"), (5, "III"),
                                         (4.9, "IV"), (3, "IV"), (2.9, "V"), (2, "V"), (1.9, "劣V")]],
]  # fmt: skip


@pytest.mark.parametrize(("parameter", "waterbody", "value", "expected"), LIMIT_CASES)
def test_it_classifies_each_parameter_at_its_limits(
    parameter: str, waterbody: str, value: float, expected: str
) -> None:
    assert classify({parameter: value}, waterbody).water_class == expected


@pytest.mark.parametrize(("parameter", "waterbody", "value", "expected"), LIMIT_CASES)
def test_the_frame_version_agrees_at_every_limit(parameter: str, waterbody: str, value: float, expected: str) -> None:
    frame = pl.DataFrame({"waterbody": [waterbody], parameter: [float(value)]})
    assert classify_frame(frame)["water_class"].to_list() == [expected]


@pytest.mark.parametrize(("ph", "expected"), [(5.9, "劣V"), (6.0, "II"), (9.0, "II"), (9.1, "劣V")])
def test_it_makes_ph_outside_6_to_9_worse_than_class_v(ph: float, expected: str) -> None:
    # CODMn 3 is class II; pH inside 6~9 (表1 项2) leaves it there.
    result = classify({"ph": ph, "codmn": 3}, "river")
    assert result.water_class == expected
    assert result.determining == (("ph",) if expected == "劣V" else ("codmn",))


def test_it_never_lets_an_in_range_ph_determine_the_class() -> None:
    assert classify({"ph": 7.0}).water_class == "I"
    assert classify({"ph": 7.0}).determining == ()


def test_it_uses_lake_limits_for_tp_in_lakes() -> None:
    # 0.08 mg/L: river class II (≤ 0.1), lake class IV (0.05 < 0.08 ≤ 0.1)
    assert classify({"tp": 0.08}, "river").water_class == "II"
    assert classify({"tp": 0.08}, "lake").water_class == "IV"


def test_it_counts_tn_for_lakes_only() -> None:
    sample = {"codmn": 3.0, "tn": 2.5}  # CODMn II; TN 2.5 > 2.0 is 劣V in a lake
    assert classify(sample, "river").water_class == "II"
    assert classify(sample, "river").determining == ("codmn",)
    assert classify(sample, "lake").water_class == "劣V"
    assert classify(sample, "lake").determining == ("tn",)


def test_it_ignores_fecal_coliform_and_temperature() -> None:
    result = classify({"codmn": 3.0, "fecal_coliform": 100_000, "temperature": 31.0})
    assert result.water_class == "II"
    assert "fecal_coliform" not in result.exceeding


def test_it_names_every_parameter_at_the_worst_class() -> None:
    result = classify({"codmn": 8.0, "nh3n": 1.2, "tp": 0.15})  # IV, IV, III
    assert result.water_class == "IV"
    assert result.determining == ("codmn", "nh3n")


def test_it_computes_exceedance_multiples_against_class_iii() -> None:
    result = classify({"ph": 7.2, "do": 2.5, "codmn": 9.0, "nh3n": 2.4, "tp": 0.35, "cod": 18.0})
    assert result.water_class == "劣V"
    assert result.determining == ("nh3n",)
    assert set(result.exceeding) == {"do", "codmn", "nh3n", "tp"}  # COD 18 is class III: not exceeding
    assert result.exceeding["do"] is None  # DO 2.5 is class V but has no multiple
    assert result.exceeding["codmn"] == pytest.approx(0.5)  # (9 − 6) / 6
    assert result.exceeding["nh3n"] == pytest.approx(1.4)  # (2.4 − 1.0) / 1.0
    assert result.exceeding["tp"] == pytest.approx(0.75)  # (0.35 − 0.2) / 0.2


def test_it_computes_lake_tp_multiples_against_the_lake_limit() -> None:
    result = classify({"tp": 0.08}, "lake")
    assert result.exceeding == {"tp": pytest.approx(0.6)}  # (0.08 − 0.05) / 0.05


def test_it_gives_ph_no_multiple() -> None:
    assert classify({"ph": 9.5}).exceeding == {"ph": None}


def test_it_treats_none_as_not_measured() -> None:
    assert classify({"codmn": 3.0, "nh3n": None}).water_class == "II"


@pytest.mark.parametrize(
    ("measurements", "waterbody", "message"),
    [
        ({"codmn": 3.0}, "sea", "waterbody"),
        ({"nh3_n": 0.5}, "river", "unknown parameters"),
        ({"codmn": -1.0}, "river", "not a concentration"),
        ({"codmn": math.nan}, "river", "not a concentration"),
        ({"fecal_coliform": 10.0}, "river", "no GB 3838-2002 parameter"),
        ({"tn": 1.0}, "river", "no GB 3838-2002 parameter"),
    ],
)
def test_it_rejects_what_it_cannot_classify(measurements: dict[str, float], waterbody: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        classify(measurements, waterbody)


def test_it_returns_a_frozen_result() -> None:
    result = classify({"codmn": 3.0})
    with pytest.raises(AttributeError):
        result.water_class = "I"  # type: ignore[misc]


def test_classify_frame_adds_determining_and_exceedance_columns() -> None:
    frame = pl.DataFrame({"waterbody": ["river", "lake", "river"], "codmn": [9.0, 3.0, None], "tp": [0.1, 0.08, None]})
    out = classify_frame(frame)
    assert out["water_class"].to_list() == ["IV", "IV", None]
    assert out["determining"].to_list() == [["codmn"], ["tp"], []]
    assert out["exceed_codmn"].to_list() == pytest.approx([0.5, None, None], nan_ok=True)
    assert out["exceed_tp"][1] == pytest.approx(0.6)


# Values on, just inside and just outside every limit, plus arbitrary ones.
_EDGES = sorted({x * f for lims in LIMITS.values() for x in lims for f in (0.999, 1.0, 1.001)})
_value = st.one_of(st.none(), st.sampled_from(_EDGES), st.floats(0, 50, allow_nan=False))
_samples = st.fixed_dictionaries({p: _value for p in ("ph", "do", "codmn", "nh3n", "tp", "tn", "hg", "cd")}).filter(
    lambda s: any(v is not None for k, v in s.items() if k != "tn")
)


@settings(max_examples=200, deadline=None)
@given(samples=st.lists(_samples, min_size=1, max_size=5), lake=st.booleans())
def test_the_frame_version_agrees_with_classify(samples: list[dict[str, float | None]], lake: bool) -> None:
    waterbody = "lake" if lake else "river"
    frame = pl.DataFrame(samples, schema={p: pl.Float64 for p in samples[0]}).with_columns(waterbody=pl.lit(waterbody))
    out = classify_frame(frame)
    for i, sample in enumerate(samples):
        expected = classify(sample, waterbody)
        assert out["water_class"][i] == expected.water_class
        assert tuple(out["determining"][i]) == expected.determining
        for p, multiple in expected.exceeding.items():
            if multiple is not None:
                assert out[f"exceed_{p}"][i] == pytest.approx(multiple)


def test_the_water_module_imports_no_django() -> None:
    import subprocess
    import sys

    code = "import sys, kaohe.monitoring.water; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
