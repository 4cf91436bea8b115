"""The explanation counts in the input's unit where it is a unit of counting (issue 12's "未按时完成整改任务 3 项 −3");
a unit that is not (分, %, µg/m³) or none gives 次, as before."""

from __future__ import annotations

from kaohe.core.reference import Ctx, _times


def test_a_counting_unit_is_used_and_any_other_gives_ci() -> None:
    ctx = Ctx(10.0, [], {}, {"late": "项", "petitions": "件", "incidents": "起", "lost": "分", "ratio": "%", "n": ""})
    assert [_times(ctx, i) for i in ("late", "petitions", "incidents")] == ["项", "件", "起"]
    assert [_times(ctx, i) for i in ("lost", "ratio", "n", "unknown", None)] == ["次"] * 5
