"""GB 3838-2002 table 1 (the class limits), the class names and the vocabulary of the section table.

The only edition implemented is GB 3838-2002. Conventions where the standard leaves a choice are in the package
docstring (``kaohe.monitoring.water``) and docs/water.md.
"""

from __future__ import annotations

CLASSES: tuple[str, ...] = ("I", "II", "III", "IV", "V", "劣V")
_INFERIOR_V = 6  # rank of 劣V; ranks 1..5 are classes I..V

# GB 3838-2002 表1 地表水环境质量标准基本项目标准限值 (mg/L), classes I..V. "≤" unless listed in _HIGHER_IS_BETTER.
LIMITS: dict[str, tuple[float, float, float, float, float]] = {
    "do": (7.5, 6, 5, 3, 2),  # 表1 项3 溶解氧 ≥ (class I: 饱和率90% 或 7.5)
    "codmn": (2, 4, 6, 10, 15),  # 表1 项4 高锰酸盐指数
    "cod": (15, 15, 20, 30, 40),  # 表1 项5 化学需氧量
    "bod5": (3, 3, 4, 6, 10),  # 表1 项6 五日生化需氧量
    "nh3n": (0.15, 0.5, 1.0, 1.5, 2.0),  # 表1 项7 氨氮
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),  # 表1 项8 总磷 (rivers; lakes/reservoirs below)
    "tn": (0.2, 0.5, 1.0, 1.5, 2.0),  # 表1 项9 总氮 (湖、库 only)
    "cu": (0.01, 1.0, 1.0, 1.0, 1.0),  # 表1 项10 铜
    "zn": (0.05, 1.0, 1.0, 2.0, 2.0),  # 表1 项11 锌
    "fluoride": (1.0, 1.0, 1.0, 1.5, 1.5),  # 表1 项12 氟化物(以F-计)
    "se": (0.01, 0.01, 0.01, 0.02, 0.02),  # 表1 项13 硒
    "as": (0.05, 0.05, 0.05, 0.1, 0.1),  # 表1 项14 砷
    "hg": (0.00005, 0.00005, 0.0001, 0.001, 0.001),  # 表1 项15 汞
    "cd": (0.001, 0.005, 0.005, 0.005, 0.01),  # 表1 项16 镉
    "cr6": (0.01, 0.05, 0.05, 0.05, 0.1),  # 表1 项17 铬(六价)
    "pb": (0.01, 0.01, 0.05, 0.05, 0.1),  # 表1 项18 铅
    "cyanide": (0.005, 0.05, 0.2, 0.2, 0.2),  # 表1 项19 氰化物
    "phenol": (0.002, 0.002, 0.005, 0.01, 0.1),  # 表1 项20 挥发酚
    "petroleum": (0.05, 0.05, 0.05, 0.5, 1.0),  # 表1 项21 石油类
    "las": (0.2, 0.2, 0.2, 0.3, 0.3),  # 表1 项22 阴离子表面活性剂
    "sulfide": (0.05, 0.1, 0.2, 0.5, 1.0),  # 表1 项23 硫化物
}
# 表1 项8 总磷: "湖、库" limits in brackets.
LAKE_TP_LIMITS: tuple[float, float, float, float, float] = (0.01, 0.025, 0.05, 0.1, 0.2)
_PH_RANGE = (6.0, 9.0)  # 表1 项2 pH 6~9 for every class; outside it the sample is worse than class V
_HIGHER_IS_BETTER = frozenset({"do"})
_NO_MULTIPLE = frozenset({"do", "ph"})  # 评价办法: exceedance multiples are not computed for DO and pH

PARAMETERS: tuple[str, ...] = ("ph", *LIMITS)  # graded, in table-1 order
_IGNORED = ("temperature", "fecal_coliform")  # table 1 items 1 and 24: read, never graded
_TOL = 1e-9  # relative tolerance of limit comparisons (see the package docstring)

WATERBODIES = ("river", "lake")
_WATERBODY_ALIASES = {
    "river": "river",
    "河流": "river",
    "lake": "lake",
    "reservoir": "lake",
    "湖库": "lake",
    "湖泊": "lake",
    "水库": "lake",
}
_CLASS_ALIASES = {
    **{c: i for i, c in enumerate(CLASSES[:5], 1)},
    **{c: i for i, c in enumerate(("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ"), 1)},
    **{str(i): i for i in range(1, 6)},
}
# Seed 004 item 1.3: 省控 sections cost 10 a month, 市控/县控/交接 5; 国控 (above 省控) is charged like 省控.
LEVELS = ("national", "provincial", "city", "county", "boundary")
_LEVEL_ALIASES = {
    "national": "national",
    "国控": "national",
    "provincial": "provincial",
    "省控": "provincial",
    "city": "city",
    "市控": "city",
    "county": "county",
    "县控": "county",
    "boundary": "boundary",
    "交接": "boundary",
    "交界": "boundary",
}
SECTION_TYPES = ("assessment", "drinking", "drinking_backup", "other")
_REQUIRED = ("section_id", "section_name", "unit_id", "waterbody", "target_class", "month")
_OPTIONAL = ("year", "section_level", "section_type")
