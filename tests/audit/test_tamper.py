"""The tamper probe of issue 8 §2.2, as a test: a cycle built through the actions (evaluated, approved, published)
and a second cycle just opened; each case edits the database directly with SQL (no ORM save hooks, no signals),
then ``kaohe audit verify`` must report it in words and exit 1. Every case starts from a clean, verified state.
Runs on SQLite and on PostgreSQL (the suite runs twice). That the demo data verifies clean is
tests/assessments/test_demo.py's job (it loads the demo once for all its checks)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Cycle, Evidence, Result
from kaohe.audit.models import AuditLog, ChainHead, canonical
from kaohe.cli import main
from tests.world import SCHEME_YAML, World


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@dataclass
class Probe:
    world: World
    later: Cycle  # a second cycle, opened and not yet submitted
    evidence: Evidence

    def result(self, unit: str) -> Result:
        return Result.objects.get(assessment=self.world.assessment(unit))


@pytest.fixture
def probe(world: World) -> Probe:
    office, leader = world.people["alice"], world.people["linda"]
    world.fill("A")
    evidence = actions.check_add_evidence(
        item=world.item("A", "1"),
        upload=SimpleUploadedFile("监测报告.pdf", b"%PDF-1.4 original"),
        acting_user=world.people["fay"],
    )
    actions.do_import_monitoring_values(
        cycle=world.cycle, rows=[{"unit_id": "220200", "good_days": 91.5}], source="省站数据", acting_user=office
    )
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    actions.check_approve_cycle(cycle=world.cycle, acting_user=leader)
    actions.check_publish_cycle(cycle=world.cycle, acting_user=office)
    later = actions.do_open_cycle(
        name="2025年度考核",
        year=2025,
        scheme_id="",
        units=world.units.values(),
        scheme_file=ContentFile(SCHEME_YAML.encode(), name="web_scheme.yaml"),
        acting_user=office,
    )
    return Probe(world, later, evidence)


def verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["audit", "verify"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# --- the edits: each returns the words the report must contain ------------------------------------------------
def final_score_plus_50(p: Probe) -> list[str]:
    result = p.result("A")
    assert result.final_score is not None
    sql("UPDATE assessments_result SET final_score = final_score + 50 WHERE id = %s", [result.pk])
    return [
        "甲市（220100）",
        "「2024年度考核」",
        "综合得分",
        f"记录为 {result.final_score}",
        f"现为 {result.final_score + 50}",
    ]


def grade_set_to_excellent(p: Probe) -> list[str]:
    result = next(r for r in Result.objects.filter(cycle=p.world.cycle) if r.grade != "优秀")
    sql("UPDATE assessments_result SET grade = %s WHERE id = %s", ["优秀", result.pk])
    return [result.assessment.unit.name, "等次", f"记录为 {result.grade}", "现为 优秀"]


def result_deleted(p: Probe) -> list[str]:
    sql("DELETE FROM assessments_result WHERE id = %s", [p.result("B").pk])
    return ["乙市（220200）", "考核结果", "已被删除"]


def self_evaluation_values(p: Probe) -> list[str]:
    item = p.world.item("A", "1")  # fay reported 1 month out of target (GOOD_VALUES)
    sql('UPDATE assessments_selfevaluation SET "values" = %s WHERE id = %s', [json.dumps({"water_months": 0}), item.pk])
    return ["甲市（220100）", "指标 1「水环境质量」的自评", "自评值「断面不达标月数」 记录为 1，现为 0"]


def verification_values(p: Probe) -> list[str]:
    item = p.world.item("C", "2")
    sql(
        'UPDATE assessments_verification SET "values" = %s WHERE item_id = %s',
        [json.dumps({"good_days": 99.0}), item.pk],
    )
    return ["丙县（220281）", "指标 2「空气质量」", "核实值「优良天数比例」 记录为 86.5，现为 99.0"]


def assessment_moved_to_published(p: Probe) -> list[str]:
    assessment = Assessment.objects.get(cycle=p.later, unit=p.world.units["A"])
    sql("UPDATE assessments_assessment SET state = %s WHERE id = %s", ["published", assessment.pk])
    return ["甲市（220100）", "「2025年度考核」", "状态 记录为 填报中，现为 已通报"]


def published_at_without_approval(p: Probe) -> list[str]:
    when = connection.ops.adapt_datetimefield_value(dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC))
    sql("UPDATE assessments_cycle SET published_at = %s WHERE id = %s", [when, p.later.pk])
    return ["考核周期「2025年度考核」", "通报时间 记录为 （空）", "现为 2026-01-05"]


def imported_value(p: Probe) -> list[str]:
    sql(
        "UPDATE assessments_importedvalue SET value = %s WHERE cycle_id = %s AND input_id = %s",
        [json.dumps(60.0), p.world.cycle.pk, "good_days"],
    )
    return ["乙市（220200）", "导入的监测数据「优良天数比例」", "数值 记录为 91.5，现为 60.0"]


def letter_targets(p: Probe) -> list[str]:
    letter = p.world.cycle.letters.get(unit=p.world.units["C"])  # issued with good_days_target 85
    sql(
        "UPDATE assessments_responsibilityletter SET targets = %s WHERE id = %s",
        [json.dumps({"good_days_target": 50.0}), letter.pk],
    )
    return ["丙县（220281）", "目标责任书", "目标值「优良天数比例目标」 记录为 85.0，现为 50.0"]


def filler_promoted(p: Probe) -> list[str]:
    sql(
        "UPDATE assessments_membership SET role = %s WHERE user_id = %s AND role = %s",
        ["office", p.world.people["fay"].pk, "filler"],
    )
    return ["用户 fay", "角色 记录为 单位填报人，现为 考核办"]


def superuser_set(p: Probe) -> list[str]:
    sql("UPDATE auth_user SET is_superuser = %s WHERE username = %s", [True, "fay"])
    return ["用户 fay", "超级用户 记录为 否，现为 是"]


def approver_password_reset(p: Probe) -> list[str]:
    sql("UPDATE auth_user SET password = %s WHERE username = %s", [make_password("mallory-knows"), "linda"])
    return ["用户 linda", "密码已被更改"]


def unit_renamed(p: Probe) -> list[str]:
    sql("UPDATE assessments_unit SET name = %s WHERE code = %s", ["甲市（改）", "220100"])
    return ["被考核单位", "名称 记录为 甲市，现为 甲市（改）"]


def result_inserted(p: Probe) -> list[str]:
    """A result row for a unit of the open cycle, copied from a published one, with no audit entry."""
    source = p.result("A")
    target = Assessment.objects.get(cycle=p.later, unit=p.world.units["A"])
    columns = [
        c.name for c in connection.introspection.get_table_description(connection.cursor(), "assessments_result")
    ]
    copied = ", ".join(connection.ops.quote_name(c) for c in columns if c not in ("id", "cycle_id", "assessment_id"))
    sql(
        f"INSERT INTO assessments_result (cycle_id, assessment_id, {copied}) "
        f"SELECT %s, %s, {copied} FROM assessments_result WHERE id = %s",
        [p.later.pk, target.pk, source.pk],
    )
    return ["甲市（220100）", "「2025年度考核」", "考核结果", "没有任何审计记录"]


def evidence_file_swapped(p: Probe) -> list[str]:
    Path(p.evidence.file.path).write_bytes(b"%PDF-1.4 forged")
    return ["监测报告.pdf", "文件被替换或改动"]


def scheme_file_swapped(p: Probe) -> list[str]:
    """The uploaded scheme YAML rewritten on disk: 水环境质量 worth 60 points instead of 40."""
    path = Path(p.later.scheme_file.path)
    path.write_text(path.read_text(encoding="utf-8").replace("points: 40", "points: 60", 1), encoding="utf-8")
    return ["考核周期「2025年度考核」：上传的考核方案文件被替换或改动"]


def evidence_row_deleted(p: Probe) -> list[str]:
    sql("DELETE FROM assessments_evidence WHERE id = %s", [p.evidence.pk])
    return ["佐证材料「监测报告.pdf」", "已被删除"]


def _tail(n: int) -> list[AuditLog]:
    return list(AuditLog.objects.order_by("-seq")[:n])[::-1]


def _rewrite_tail(sign: Callable[[AuditLog], str]) -> None:
    """Change what the third-newest entry says and recompute its hash and every later one with ``sign``, then move
    the chain head along: what someone with database access but without the key can do."""
    tail = _tail(3)
    prev = AuditLog.objects.get(seq=tail[0].seq - 1).hash
    for n, entry in enumerate(tail):
        if n == 0:
            entry.reason = "（改写）"
        entry.prev_hash = prev
        entry.hash = sign(entry)
        sql(
            "UPDATE audit_auditlog SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [entry.reason, entry.prev_hash, entry.hash, entry.pk],
        )
        prev = entry.hash
    sql("UPDATE audit_chainhead SET last_hash = %s WHERE id = 1", [prev])


def chain_tail_rewritten_unkeyed(p: Probe) -> list[str]:
    seq = _tail(3)[0].seq
    _rewrite_tail(lambda e: hashlib.sha256(e.payload()).hexdigest())
    return [f"审计记录 #{seq} 被改动或伪造（密钥签名不符）"]


def chain_tail_rewritten_guessed_key(p: Probe) -> list[str]:
    seq = _tail(3)[0].seq
    guesses = [b"kaohe-insecure-development-key-change-me", b"kaohe", b"secret"]
    _rewrite_tail(lambda e: hmac.new(guesses[e.seq % 3], e.payload(), hashlib.sha256).hexdigest())
    return [f"审计记录 #{seq} 被改动或伪造（密钥签名不符）"]


def forged_entry_with_correct_sha256(p: Probe) -> list[str]:
    """The final score raised and an entry appended that records the raised score, hashed with a correct SHA-256
    of its content and linked to the head: a consistent-looking log, but not signed with the key."""
    result = p.result("A")
    sql("UPDATE assessments_result SET final_score = final_score + 50 WHERE id = %s", [result.pk])
    last = _tail(1)[0]
    rows = {"assessments.result": {str(result.pk): _result_snapshot(result.pk)}}
    forged = AuditLog(
        seq=last.seq + 1,
        created_at=last.created_at,
        actor_name="alice",
        action="cycle.evaluate",
        object_type="assessments.cycle",
        object_id=str(p.world.cycle.pk),
        what="",
        old_value="",
        new_value="",
        reason="复核更正",
        rows=canonical(rows),
        key_id=last.key_id,
        prev_hash=last.hash,
    )
    forged.hash = hashlib.sha256(forged.payload()).hexdigest()
    names = [
        "seq",
        "created_at",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "what",
        "old_value",
        "new_value",
        "reason",
        "rows",
        "key_id",
        "prev_hash",
        "hash",
    ]
    values = [getattr(forged, n) for n in names]
    values[1] = connection.ops.adapt_datetimefield_value(forged.created_at)
    sql(
        f"INSERT INTO audit_auditlog ({', '.join(connection.ops.quote_name(n) for n in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})",
        values,
    )
    sql("UPDATE audit_chainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [forged.seq, forged.hash])
    return [f"审计记录 #{forged.seq} 被改动或伪造（密钥签名不符）"]


def _result_snapshot(pk: int) -> dict[str, Any]:
    from kaohe.audit.snapshots import read

    return dict(read(Result.objects.filter(pk=pk)))[str(pk)]


def chain_head_edited(p: Probe) -> list[str]:
    earlier = _tail(2)[0]
    sql("UPDATE audit_chainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [earlier.seq, earlier.hash])
    return ["审计链头被改动"]


def audit_row_deleted(p: Probe) -> list[str]:
    victim = AuditLog.objects.filter(action="self_evaluation.save").order_by("seq")[2].seq
    sql("DELETE FROM audit_auditlog WHERE seq = %s", [victim])
    return [f"审计记录 #{victim} 已被删除"]


CASES: dict[str, Callable[[Probe], list[str]]] = {
    f.__name__: f
    for f in [
        final_score_plus_50,
        grade_set_to_excellent,
        result_deleted,
        self_evaluation_values,
        verification_values,
        assessment_moved_to_published,
        published_at_without_approval,
        imported_value,
        letter_targets,
        filler_promoted,
        superuser_set,
        approver_password_reset,
        unit_renamed,
        result_inserted,
        chain_tail_rewritten_unkeyed,
        chain_tail_rewritten_guessed_key,
        forged_entry_with_correct_sha256,
        chain_head_edited,
        evidence_file_swapped,
        evidence_row_deleted,
        scheme_file_swapped,
        audit_row_deleted,
    ]
}


@pytest.mark.parametrize("case", list(CASES))
def test_verify_reports_each_direct_edit(probe: Probe, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify(capsys)[0] == 0  # clean before the edit
    words = CASES[case](probe)
    code, output = verify(capsys)
    assert code == 1, output
    for expected in words:
        assert expected in output, f"{expected!r} not in:\n{output}"


def test_a_clean_cycle_verifies_with_a_one_line_summary(probe: Probe, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = verify(capsys)
    assert code == 0
    assert output.strip().count("\n") == 0 and "审计校验通过" in output
    # users, units, roles, two cycles with their letters, assessments, items, verifications, an evidence row, an
    # imported value and the results are all explained by the log
    assert ChainHead.objects.get(pk=1).last_seq == AuditLog.objects.count()
