"""One ``as_inputs`` for air and water (issue 9 §3): both kinds pick, rename, scale and refuse alike."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
import pytest

from kaohe.core.exceptions import UserInputError
from kaohe.monitoring import air, inputs, water


def scheme(*definitions: dict[str, object]) -> SimpleNamespace:
    return SimpleNamespace(inputs=[SimpleNamespace(**d) for d in definitions])


def test_air_and_water_are_served_by_the_one_shared_function(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    shared = inputs.as_inputs

    def spy(results: pl.DataFrame, s: inputs.SchemeLike, **how: str) -> pl.DataFrame:
        calls.append(how["kind"])
        return shared(results, s, **how)

    monkeypatch.setattr(inputs, "as_inputs", spy)
    air.as_inputs(
        pl.DataFrame({"city_id": ["C1"], "good_ratio": [0.5]}),
        scheme({"id": "g", "source": "air.good_ratio"}),
    )
    water.as_inputs(
        pl.DataFrame({"unit_id": ["U1"], "drinking_rate": [0.5]}),
        scheme({"id": "d", "source": "water.drinking_rate"}),
    )
    assert calls == ["air", "water"]


def test_air_refuses_a_scale_on_a_text_column_as_water_does() -> None:
    # before the shared function, air cast the text to Float64 and Polars raised (a traceback, not a message)
    year = pl.DataFrame({"city_id": ["C1"], "station_names": ["甲"]})
    with pytest.raises(UserInputError, match="input x: source_scale on non-numeric 'air.station_names'"):
        air.as_inputs(year, scheme({"id": "x", "source": "air.station_names", "source_scale": 100}))


def test_the_key_column_is_not_an_input_for_either_kind() -> None:
    # the key becomes unit_id; taking it again as an input would duplicate the key under another name
    with pytest.raises(UserInputError, match="'air.city_id' is not a column of the air results"):
        air.as_inputs(pl.DataFrame({"city_id": ["C1"]}), scheme({"id": "x", "source": "air.city_id"}))
    with pytest.raises(UserInputError, match="'water.unit_id' is not a column of the water evaluation"):
        water.as_inputs(pl.DataFrame({"unit_id": ["U1"]}), scheme({"id": "x", "source": "water.unit_id"}))


def test_both_kinds_say_the_same_when_the_scheme_takes_nothing_of_theirs() -> None:
    nothing = scheme({"id": "x", "source": "other.column"}, {"id": "manual"})
    with pytest.raises(UserInputError, match="the scheme has no input with source 'air.…'"):
        air.as_inputs(pl.DataFrame({"city_id": ["C1"]}), nothing)
    with pytest.raises(UserInputError, match="the scheme has no input with source 'water.…'"):
        water.as_inputs(pl.DataFrame({"unit_id": ["U1"]}), nothing)
