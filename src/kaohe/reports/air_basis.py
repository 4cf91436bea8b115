"""Which air-quality edition a cycle's air figures follow, in the words the results workbook and the 通报 print
(issue 11: "the results workbook and 通报 say it").

    air_basis(scheme) -> str | None    "空气质量指标依据：…", None when no input of the scheme comes from air data

A scheme has air figures when one of its inputs has a ``source`` starting with ``air.`` (the columns
``kaohe air evaluate`` makes). Its ``air_edition`` (None ⇒ ``auto``) says how they were evaluated: ``auto`` each
day by the edition in force that day, ``2012``/``2026`` the whole span by one edition. The standards' names and the
dates come from the edition files (``kaohe.monitoring.air.editions.builtin_editions``), never from this module:

    auto  空气质量指标依据：2026年3月1日前按 HJ 633-2012、HJ 663-2013、GB 3095-2012，此后按 HJ 633-2026、HJ 663-2026、
          GB 3095-2026（各日按当日施行的标准）
    2026  空气质量指标依据：HJ 633-2026、HJ 663-2026、GB 3095-2026
"""

from __future__ import annotations

from datetime import date

from kaohe.core import Scheme
from kaohe.monitoring.air.editions import Edition, builtin_editions, in_force_during
from kaohe.reports.official import date_text

LABEL = "空气质量指标依据："


def has_air_inputs(scheme: Scheme) -> bool:
    """Whether any input of the scheme is filled from air-quality monitoring (``source: air.…``)."""
    return any((inp.source or "").startswith("air.") for inp in scheme.inputs)


def standards(edition: Edition) -> str:
    """The edition's standards as a Chinese list: "HJ 633-2026、HJ 663-2026、GB 3095-2026"."""
    return "、".join(part.strip() for part in edition.name.split("/") if part.strip())


def air_basis(scheme: Scheme, year: int | None = None) -> str | None:
    """The sentence naming the standards the scheme's air figures follow (no final 。), None without air inputs.
    With the assessment ``year``, ``auto`` names only the editions in force on some day of that year (a 2024 cycle:
    the 2012 editions alone)."""
    if not has_air_inputs(scheme):
        return None
    editions = builtin_editions()
    choice = scheme.air_edition or "auto"
    if choice != "auto":
        return LABEL + standards(editions[choice])
    ordered = sorted(editions.values(), key=lambda e: e.in_force_from)
    if year is not None:  # the edition in force on 1 January, and those that come into force during the year
        ordered = in_force_during(ordered, date(year, 1, 1), date(year, 12, 31))
    if len(ordered) == 1:
        return LABEL + standards(ordered[0])
    # The first edition before the second comes into force, each later one from its date ("此后" for the last of two).
    parts = [f"{date_text(ordered[1].in_force_from)}前按 {standards(ordered[0])}"]
    for edition in ordered[1:]:
        since = "此后" if len(ordered) == 2 else f"{date_text(edition.in_force_from)}起"
        parts.append(f"{since}按 {standards(edition)}")
    return LABEL + "，".join(parts) + "（各日按当日施行的标准）"
