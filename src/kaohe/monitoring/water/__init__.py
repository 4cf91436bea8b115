"""Surface-water quality by GB 3838-2002, and the per-district inputs of the seed-004 water indicators.

    tables.py    LIMITS, LAKE_TP_LIMITS, CLASSES, PARAMETERS, section-table vocabulary   GB 3838-2002 表1
    classify.py  classify, classify_frame                       one sample / a frame of samples
    read.py      read_sections                                  CSV / xlsx / Parquet, validated
    evaluate.py  evaluate_sections, as_inputs                   a year, per section and per unit
    as_inputs is kaohe.monitoring.inputs.as_inputs, the one shared with air.

What each gives::

    LIMITS, LAKE_TP_LIMITS            GB 3838-2002 table 1, items 2-23 (class I ... V limits)
    classify(measurements, waterbody) one sample -> Classification(water_class, determining, exceeding)
    classify_frame(frame)             the same, vectorised: adds water_class, determining, exceed_<parameter>
    read_sections(path)               CSV / xlsx / Parquet -> validated, typed frame (InputTableError otherwise)
    evaluate_sections(frame, year)    -> WaterEvaluation(sections, units)
        sections: one row per section of `year` (monthly classes, months off target, annual-mean class, change)
        units:    one row per unit_id: the inputs of XX-city 2020 items 1.1-1.4 (see docs/water.md)
    as_inputs(units, scheme)          the unit columns a scheme's inputs declare (source "water.<column>")

Conventions (where the standard leaves a choice, see docs/water.md for the reasoning):

* Single-factor method (GB 3838-2002 §5.1/§5.2; 地表水环境质量评价办法(试行) 环办[2011]22号 二(一)): the class
  of a sample is the worst class over the graded parameters. A parameter takes the best class whose limit it meets,
  so COD 15 mg/L is class I although classes I and II share the limit.
* Graded: table 1 items 2-23. Water temperature (item 1) has no class limits and fecal coliform (item 24) is not
  part of the class (评价办法 二(一)1: "除水温、总氮、粪大肠菌群以外"); TN (item 9 "湖、库") counts for lakes only.
* Values equal to a limit meet it ("≤" / "≥" in table 1). Comparisons allow a relative 1e-9 so that a mean which
  equals a limit in decimal arithmetic is not pushed over it by binary floating point.
* Below detection limit: "<0.01" or "0.01L" (HJ/T 91-2002 reports the limit with the flag L) is taken as half the
  limit (地表水环境质量监测数据统计技术规定(试行) 环办监测函〔2020〕82号 第七点: 低于检出限时以1/2检出限值参与计算和
  统计); a bare "ND"/"未检出" (no limit given) is taken as 0.
"""

from kaohe.monitoring.inputs import InputDefinition, SchemeLike
from kaohe.monitoring.water.classify import Classification, classify, classify_frame
from kaohe.monitoring.water.evaluate import (
    BOUNDARY_GRADES,
    BOUNDARY_SHARES,
    SOURCE_PREFIX,
    WaterEvaluation,
    as_inputs,
    evaluate_sections,
)
from kaohe.monitoring.water.read import read_sections
from kaohe.monitoring.water.tables import (
    CLASSES,
    LAKE_TP_LIMITS,
    LEVELS,
    LIMITS,
    PARAMETERS,
    SECTION_TYPES,
    WATERBODIES,
)

__all__ = [
    "BOUNDARY_GRADES",
    "BOUNDARY_SHARES",
    "CLASSES",
    "LAKE_TP_LIMITS",
    "LEVELS",
    "LIMITS",
    "PARAMETERS",
    "SECTION_TYPES",
    "SOURCE_PREFIX",
    "WATERBODIES",
    "Classification",
    "InputDefinition",
    "SchemeLike",
    "WaterEvaluation",
    "as_inputs",
    "classify",
    "classify_frame",
    "evaluate_sections",
    "read_sections",
]
