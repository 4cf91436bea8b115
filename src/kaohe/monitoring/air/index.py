"""Scalar AQI arithmetic (HJ 633-2012, or another edition's tables) and the HJ 663-2013 percentile, in exact
rational arithmetic.

Numbers come in as int, float, Decimal or str; a float is read as the decimal it prints as
(``35.5`` is 71/2, not the nearest binary fraction), so that ties and breakpoints behave exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from kaohe.monitoring.air.editions import Edition, resolve, round_quotient

# Which edition a scalar computation follows: an id of a built-in edition ("2012", "2026"), an edition file, or a
# loaded Edition (kaohe.monitoring.air.editions). The default stays the 2012 editions, so callers keep their results.
EditionLike = str | Path | Edition

Number = int | float | Decimal | str

POLLUTANTS = ("so2", "no2", "pm10", "pm25", "co", "o3")
# The seven daily values of an AQI day report (HJ 633-2012 §5, 日报), in the order ``primary`` lists them.
DAILY_KEYS = ("so2", "no2", "pm10", "pm25", "co", "o3_8h", "o3_1h")
_DAILY_PERIOD = {
    "so2": ("so2", "24h"),
    "no2": ("no2", "24h"),
    "pm10": ("pm10", "24h"),
    "pm25": ("pm25", "24h"),
    "co": ("co", "24h"),
    "o3_8h": ("o3", "8h"),
    "o3_1h": ("o3", "1h"),
}


def exact(value: Number) -> Fraction:
    """The exact rational a number stands for; a float is taken as its shortest decimal repr."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(Decimal(repr(value)))
    if isinstance(value, str):
        return Fraction(Decimal(value.strip()))
    return Fraction(value)


def round_half_even(value: Fraction, step: Fraction = Fraction(1)) -> Fraction:
    """Round to a multiple of ``step``, ties to even (GB/T 8170-2008 §3.3, 四舍六入五成双), exactly."""
    return round_quotient(value, step, "half_even") * step


def iaqi(pollutant: str, concentration: Number | None, period: str, edition: EditionLike = "2012") -> int | None:
    """The IAQI of one concentration (HJ 633 表1 and 式(1)), by ``edition``'s table: HJ 633-2012 by default,
    HJ 633-2026 with ``edition="2026"`` (24-h PM2.5 and PM10 rows changed). Rounded to an integer by the edition's
    ``rounding.iaqi`` (:func:`~kaohe.monitoring.air.editions.round_quotient`): up (进位取整, HJ 633 §4) in both
    built-in editions, half to even on the exact value (GB/T 8170-2008 §3.3) in a file that says ``half_even``.

    ``pollutant`` is one of so2 no2 pm10 pm25 co o3, ``period`` one of 1h 8h 24h (the pairs of table 1).
    µg/m³, CO in mg/m³. Returns None for a missing value and where table 1's notes say "not computed"
    (SO2 1-h or O3 8-h above 800 µg/m³); any other value above the top breakpoint gives 500.
    """
    table = resolve(edition)
    key = (pollutant, period)
    if key not in table.rows:
        raise ValueError(f"{table.name} table 1 has no {period} row for {pollutant!r}")
    if concentration is None or (isinstance(concentration, float) and math.isnan(concentration)):
        return None
    c = exact(concentration)
    if c < 0:
        raise ValueError(f"negative concentration {concentration!r}")
    limit = table.not_computed_above.get(key)
    if limit is not None and c > limit:
        return None  # HJ 633-2012 表1 注(2) and 注(3)
    bps, levels = table.rows[key], table.iaqi_levels
    if c >= bps[-1]:
        return levels[len(bps) - 1]  # the top of table 1 is IAQI 500 for every open-ended row
    for i in range(1, len(bps)):
        if c <= bps[i]:
            lo, hi = Fraction(bps[i - 1]), Fraction(bps[i])
            i_lo, i_hi = levels[i - 1], levels[i]
            # 式(1), (i_hi − i_lo)/(hi − lo)·(c − lo) + i_lo, as one exact quotient, rounded whole by the edition's
            # rule (ceiling, 进位取整: 50.625 ⇒ 51; or half_even)
            return round_quotient((i_hi - i_lo) * (c - lo) + i_lo * (hi - lo), hi - lo, table.iaqi_rounding)
    raise AssertionError("unreachable")  # pragma: no cover


def aqi_category(aqi: int, edition: EditionLike = "2012") -> str:
    """优 / 良 / 轻度污染 / 中度污染 / 重度污染 / 严重污染 (HJ 633 表2)."""
    if aqi < 0:
        raise ValueError(f"negative AQI {aqi}")
    table = resolve(edition)
    for upper, name in table.categories:
        if aqi <= upper:
            return name
    return table.worst_category


@dataclass(frozen=True)
class DailyAQI:
    """One day's AQI; ``primary`` lists the keys whose IAQI equals the AQI, only when AQI > 50."""

    aqi: int | None
    category: str | None
    primary: list[str] = field(default_factory=list)
    iaqi: dict[str, int | None] = field(default_factory=dict)


def daily_aqi(values: Mapping[str, Number | None], edition: EditionLike = "2012") -> DailyAQI:
    """The daily AQI from the seven daily values (HJ 633 式(2): the largest IAQI), by ``edition``'s tables and its
    IAQI rounding rule (see :func:`iaqi`).

    Keys: so2 no2 pm10 pm25 co (24-h means), o3_8h (daily max 8-h), o3_1h (daily max 1-h). A missing key or
    None counts as not measured. When O3 8-h is above 800 its IAQI is not computed and the O3 IAQI comes
    from the 1-h value (表1 注(3)), which is among the seven anyway.
    """
    unknown = set(values) - set(DAILY_KEYS)
    if unknown:
        raise ValueError(f"unknown daily values {sorted(unknown)}; expected {list(DAILY_KEYS)}")
    subs: dict[str, int | None] = {}
    for key in DAILY_KEYS:
        pollutant, period = _DAILY_PERIOD[key]
        subs[key] = iaqi(pollutant, values.get(key), period, edition)
    present = [v for v in subs.values() if v is not None]
    if not present:
        return DailyAQI(None, None, [], subs)
    aqi = max(present)
    # HJ 633-2012 §4.3: a primary pollutant is named only when AQI > 50.
    primary = [k for k in DAILY_KEYS if aqi > 50 and subs[k] == aqi]
    return DailyAQI(aqi, aqi_category(aqi, edition), primary, subs)


def percentile(values: Iterable[Number | None], p: Number) -> float | None:
    """The p-th percentile by HJ 663-2013 附录A: k = 1 + (n−1)·p/100, X(s) + (X(s+1) − X(s))·(k − s).

    X are the values sorted ascending (1-based), s the integer part of k. Missing values (None, NaN) are
    left out; an empty sample gives None. Exact arithmetic, not rounded.
    """
    xs = sorted(exact(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v)))
    q = exact(p)
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {p!r} outside 0…100")
    if not xs:
        return None
    k = 1 + (len(xs) - 1) * q / 100
    s = math.floor(k)
    x_s = xs[s - 1]
    x_next = xs[s] if s < len(xs) else x_s  # k = n exactly: the weight k − s is 0
    return float(x_s + (x_next - x_s) * (k - s))
