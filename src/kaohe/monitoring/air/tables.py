"""The 2012-edition tables as Python constants: HJ 633-2012 table 1 and table 2, GB 3095-2012 table 4.

The computations read the edition files (``editions/2012.yaml``, ``editions/2026.yaml``, loaded by
``kaohe.monitoring.air.editions``); tests hold ``2012.yaml`` equal to these constants, which stay as the 2012
reference and for ``DEFAULT_AREA_CLASS``.
"""

from __future__ import annotations

EDITION = "HJ 633-2012 / HJ 663-2013 / GB 3095-2012"

# HJ 633-2012 表1: the IAQI levels shared by every row of the table.
IAQI_LEVELS = (0, 50, 100, 150, 200, 300, 400, 500)

# HJ 633-2012 表1: breakpoints per (pollutant, averaging period); µg/m³, CO in mg/m³.
BREAKPOINTS: dict[tuple[str, str], tuple[float, ...]] = {
    ("so2", "24h"): (0, 50, 150, 475, 800, 1600, 2100, 2620),
    ("so2", "1h"): (0, 150, 500, 650, 800),  # 表1 注(2): above 800 not computed
    ("no2", "24h"): (0, 40, 80, 180, 280, 565, 750, 940),
    ("no2", "1h"): (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    ("pm10", "24h"): (0, 50, 150, 250, 350, 420, 500, 600),
    ("co", "24h"): (0, 2, 4, 14, 24, 36, 48, 60),
    ("co", "1h"): (0, 5, 10, 35, 60, 90, 120, 150),
    ("o3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("o3", "8h"): (0, 100, 160, 215, 265, 800),  # 表1 注(3): above 800 use the 1-h IAQI
    ("pm25", "24h"): (0, 35, 75, 115, 150, 250, 350, 500),
}

# 表1 注(2), 注(3): above these the IAQI is "not computed" (None) rather than 500.
NOT_COMPUTED_ABOVE: dict[tuple[str, str], float] = {("so2", "1h"): 800, ("o3", "8h"): 800}

# HJ 633-2012 表2: upper AQI bound of each category, best first.
CATEGORIES: tuple[tuple[int, str], ...] = (
    (50, "优"),
    (100, "良"),
    (150, "轻度污染"),
    (200, "中度污染"),
    (300, "重度污染"),
)
WORST_CATEGORY = "严重污染"  # 表2: AQI > 300

# GB 3095-2012 表4 (污染物浓度数据有效性的最低要求).
MIN_HOURS_PER_DAY = 20  # 24-h mean: at least 20 hourly values in the day
MIN_HOURS_PER_8H = 6  # 8-h mean: at least 6 hourly values in the 8 hours
MIN_DAYS_PER_YEAR = 324  # annual statistic: at least 324 daily values …
MIN_DAYS_PER_MONTH = 27  # … and at least 27 in each month …
MIN_DAYS_FEBRUARY = 25  # … (25 in February)
# HJ 663-2013 (daily maximum 8-h O3): at least 14 valid 8-h values among the day's 17 windows; with fewer the
# daily maximum is valid all the same when it exceeds the limit (当不满足14个有效数据时，若日最大8小时平均浓度超过浓度
# 限值标准时，统计结果同样有效).
MIN_O3_WINDOWS = 14
# GB 3095-2012 表1: the 日最大8小时平均 O3 limit, µg/m³, by 浓度限值 level; §4.2: 一类区适用一级浓度限值，二类区适用
# 二级浓度限值, so an area's class (环境空气功能区) selects the level. Class 2 (residential, commercial, industrial and
# rural areas) is the default: class 1 is kept for nature reserves, scenic areas and other specially protected areas.
O3_8H_LIMIT = {1: 100, 2: 160}
DEFAULT_AREA_CLASS = 2
O3_WINDOWS = 17  # windows starting at 00:00 … 16:00; none crosses midnight (the convention)
