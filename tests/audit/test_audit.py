"""The audit log is append-only and hash-chained (HMAC-SHA256 with a key outside the database); `kaohe audit verify`
finds every altered or removed entry even when the database was edited behind the application's back. The replay
of the log against the data is tests/audit/test_tamper.py and test_audit_keys.py."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from kaohe.assessments import actions
from kaohe.audit.actions import verify_chain
from kaohe.audit.models import AuditLog
from kaohe.cli import main
from tests.world import World


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_verifies_an_intact_chain(world: World) -> None:
    world.fill("A")
    report = verify_chain()
    assert report.ok
    assert report.entries == AuditLog.objects.count() > 20


def test_it_reports_an_altered_value(world: World) -> None:
    world.fill("A")
    entry = AuditLog.objects.filter(action="self_evaluation.save").order_by("seq")[1]
    raw("UPDATE audit_auditlog SET new_value = %s WHERE seq = %s", ['{"values":{"water_months":0}}', entry.seq])
    report = verify_chain()
    assert report.problem is not None
    assert report.problem.seq == entry.seq
    assert "被改动" in report.problem.message


def test_it_reports_an_entry_rewritten_with_a_fresh_hash(world: World) -> None:
    entry = AuditLog.objects.order_by("seq")[5]
    entry.reason = "rewritten"
    raw(
        "UPDATE audit_auditlog SET reason = %s, hash = %s WHERE seq = %s",
        ["rewritten", entry.compute_hash(), entry.seq],
    )
    report = verify_chain()
    assert report.problem is not None
    assert report.problem.seq == entry.seq


def test_it_reports_a_removed_entry(world: World) -> None:
    victim = AuditLog.objects.order_by("seq")[3].seq
    raw("DELETE FROM audit_auditlog WHERE seq = %s", [victim])
    report = verify_chain()
    assert report.problem is not None
    assert (report.problem.seq, "已被删除" in report.problem.message) == (victim, True)


def test_it_reports_the_newest_entry_removed(world: World) -> None:
    last = AuditLog.objects.order_by("-seq").first()
    assert last is not None
    raw("DELETE FROM audit_auditlog WHERE seq = %s", [last.seq])
    report = verify_chain()
    assert report.problem is not None
    assert report.problem.seq == last.seq


def test_it_refuses_to_change_an_entry_through_the_orm(world: World) -> None:
    entry = AuditLog.objects.order_by("seq").first()
    assert entry is not None
    entry.reason = "x"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_the_cli_reports_tampering(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify"]) == 0
    assert "审计校验通过" in capsys.readouterr().out
    entry = AuditLog.objects.order_by("seq")[2]
    raw("UPDATE audit_auditlog SET actor_name = %s WHERE seq = %s", ["mallory", entry.seq])
    assert main(["audit", "verify"]) == 1
    assert f"审计记录 #{entry.seq} 被改动" in capsys.readouterr().err


def test_the_history_page_shows_who_changed_a_value_and_why(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    actions.check_verify_item(
        item=item,
        raw_values={"water_months": 3},
        score=None,
        reason="省控断面 3 月超标",
        version=item.version,
        acting_user=world.people["walt"],
    )
    page = world.client("alice").get(f"/items/{item.pk}/history/").content.decode()
    assert "walt" in page and "省控断面 3 月超标" in page and "fay" in page
    # in words, oldest first: the unit's 保存自评 before the verifier's 核实 (never the action codes)
    assert page.index("<td>保存自评</td>") < page.index("<td>核实</td>")
    assert "self_evaluation.save" not in page and "verification.save" not in page


def test_the_cli_reports_an_evidence_file_swapped_on_disk(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    item = world.item("A", "1")
    evidence = actions.check_add_evidence(
        item=item, upload=SimpleUploadedFile("监测报告.pdf", b"%PDF-1.4 original"), acting_user=world.people["fay"]
    )
    assert main(["audit", "verify"]) == 0
    assert "佐证文件 1 个与方案文件 1 个完整" in capsys.readouterr().out
    Path(evidence.file.path).write_bytes(b"%PDF-1.4 forged")
    assert main(["audit", "verify"]) == 1
    assert f"佐证材料 #{evidence.pk}「监测报告.pdf」：文件被替换或改动" in capsys.readouterr().err
    # Editing the row's hash to match the forged file does not help: the upload entry holds the original hash.
    raw(
        "UPDATE assessments_evidence SET sha256 = %s WHERE id = %s",
        [hashlib.sha256(b"%PDF-1.4 forged").hexdigest(), evidence.pk],
    )
    assert main(["audit", "verify"]) == 1
    assert "记录的文件哈希被改动" in capsys.readouterr().err


def test_the_audit_page_verifies_on_request(world: World) -> None:
    client = world.client("alice")
    assert "审计校验通过" not in client.get("/audit/").content.decode()
    assert "审计校验通过" in client.get("/audit/?verify=1").content.decode()
    entry = AuditLog.objects.order_by("seq")[4]
    raw("UPDATE audit_auditlog SET reason = %s WHERE seq = %s", ["改过", entry.seq])
    page = client.get("/audit/?verify=1").content.decode()
    assert "发现问题" in page and f"审计记录 #{entry.seq} 被改动" in page
