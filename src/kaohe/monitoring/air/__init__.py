"""Air quality by HJ 633 (AQI), HJ 663 (assessment) and GB 3095 (limits, data validity), 2012 and 2026 editions.

    index.py   iaqi, aqi_category, daily_aqi, percentile        scalar, exact rational arithmetic
    stats.py   daily, evaluate_year, as_inputs                   whole frames, vectorised Polars
    read.py    read_hourly                                       CSV / Parquet / Excel, validated
    editions.py the editions as data (editions/*.yaml)           2012 and 2026; an office's own file

Pure Polars, no Django. Conventions where the standards leave a choice are in docs/air.md.
"""

from kaohe.monitoring.air.index import (
    DAILY_KEYS,
    POLLUTANTS,
    DailyAQI,
    aqi_category,
    daily_aqi,
    iaqi,
    percentile,
)
from kaohe.monitoring.air.read import read_hourly
from kaohe.monitoring.air.stats import as_inputs, daily, evaluate_year
from kaohe.monitoring.air.tables import EDITION

__all__ = [
    "DAILY_KEYS",
    "EDITION",
    "POLLUTANTS",
    "DailyAQI",
    "aqi_category",
    "as_inputs",
    "daily",
    "daily_aqi",
    "evaluate_year",
    "iaqi",
    "percentile",
    "read_hourly",
]
