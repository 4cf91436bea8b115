"""Air quality by HJ 633-2012 (AQI), HJ 663-2013 (assessment) and GB 3095-2012 (data validity).

    index.py   iaqi, aqi_category, daily_aqi, percentile        scalar, exact rational arithmetic
    stats.py   daily, evaluate_year, as_inputs                   whole frames, vectorised Polars
    read.py    read_hourly                                       CSV / Parquet / Excel, validated
    tables.py  the 2012-edition tables                           the only edition implemented (see there)

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
