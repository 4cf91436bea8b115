"""The keyed audit chain (issue 8 §2.2): the key outside the database and its rotation, the 校验码 anchors on what
kaohe publishes, the empty log, a legacy chain re-signed by migration, and every action path replaying clean."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import io
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from docx import Document
from openpyxl import load_workbook

from kaohe.assessments import actions
from kaohe.assessments.integrity import verify_all
from kaohe.assessments.models import Membership
from kaohe.audit import keys
from kaohe.audit.actions import AuditKeyMissing, ChainReport, verify_chain
from kaohe.audit.models import GENESIS_HASH, AuditLog, ChainHead, canonical
from kaohe.cli import main
from kaohe.reports import docx, excel
from tests.world import TEST_AUDIT_KEY, World

KEY_ONE = "a" * 64
KEY_TWO = "b" * 64


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def expected_id(key: str) -> str:
    # keys.key_id: the first 12 hex digits of SHA-256("kaohe-audit-key-id:" + key)
    return hashlib.sha256(b"kaohe-audit-key-id:" + key.encode()).hexdigest()[:12]


@pytest.fixture
def key_file(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The key from a file, as on a deployment without KAOHE_AUDIT_KEY."""
    monkeypatch.delenv(keys.ENV_KEY, raising=False)
    monkeypatch.delenv(keys.ENV_OLD_KEYS, raising=False)
    settings.KAOHE_AUDIT_KEY_FILE = tmp_path / "keys" / "audit.key"
    return Path(settings.KAOHE_AUDIT_KEY_FILE)


def add_unit(code: str) -> None:
    actions.do_create_unit(code=code, name=f"单位{code}", type="county", sequence="county", acting_user=None)


# ------------------------------------------------------------------------------------------------ the key
def test_setup_writes_a_fresh_key_file_readable_by_its_owner_only(key_file: Path) -> None:
    with pytest.raises(keys.AuditKeyError, match="no audit key"):
        keys.load_key()
    assert keys.ensure_key() == key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = keys.load_key()
    assert len(key) == 64 and int(key, 16) >= 0  # 32 random bytes as hex
    assert keys.key_id() == hashlib.sha256(b"kaohe-audit-key-id:" + key).hexdigest()[:12]
    assert keys.ensure_key() is None and keys.load_key() == key  # never overwritten


def test_entries_are_signed_with_the_key_so_a_database_writer_cannot_recompute_them(world: World) -> None:
    entry = AuditLog.objects.order_by("seq").last()
    assert entry is not None
    assert entry.key_id == expected_id(TEST_AUDIT_KEY)
    assert entry.hash == hmac.new(TEST_AUDIT_KEY.encode(), entry.payload(), hashlib.sha256).hexdigest()
    assert entry.hash != hashlib.sha256(entry.payload()).hexdigest()


def test_a_rotated_key_keeps_the_older_entries_verifiable(
    db: Any, key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file.parent.mkdir()
    key_file.write_text(KEY_ONE + "\n")
    add_unit("900001")
    assert main(["audit", "rotate-key"]) == 0
    assert f"new audit key {expected_id(keys.load_key().decode())}" in capsys.readouterr().out
    assert key_file.read_text().splitlines()[-1] == KEY_ONE  # kept below the new one
    add_unit("900002")
    signed = list(AuditLog.objects.order_by("seq").values_list("key_id", flat=True))
    assert signed[0] == expected_id(KEY_ONE) and signed[-1] == expected_id(keys.load_key().decode())
    assert verify_chain().ok and verify_all().ok
    # The same rotation done in the environment: new key in KAOHE_AUDIT_KEY, the old ones in KAOHE_AUDIT_OLD_KEYS.
    new_key = keys.load_key().decode()
    key_file.unlink()
    monkeypatch.setenv(keys.ENV_KEY, KEY_TWO)
    monkeypatch.setenv(keys.ENV_OLD_KEYS, f"{KEY_ONE},{new_key}")
    add_unit("900003")
    assert verify_all().ok
    # Without the first key its entries cannot be vouched for, and verify says so.
    monkeypatch.setenv(keys.ENV_OLD_KEYS, new_key)
    report = verify_chain()
    assert not report.ok
    assert f"审计记录 #1 的签名密钥 {expected_id(KEY_ONE)} 不在密钥环中" in report.problems[0].message


def test_a_lost_key_refuses_to_extend_a_log_it_cannot_sign(db: Any, key_file: Path) -> None:
    add_unit("900001")  # first use of an empty log: the key file is created
    assert key_file.exists()
    key_file.unlink()
    with pytest.raises(AuditKeyMissing, match="审计密钥缺失"):
        add_unit("900002")


# ------------------------------------------------------------------------------------------------ anchors
@pytest.fixture
def published(world: World) -> World:
    world.through_verified()
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    actions.check_publish_cycle(cycle=world.cycle, acting_user=world.people["alice"])
    return world


def printed_code() -> str:
    """The 校验码 as it must read, from the chain head: 12 hex digits in groups of four, and the position."""
    head = ChainHead.objects.get(pk=1)
    code = head.last_hash[:12]
    return f"校验码 {code[:4]}-{code[4:8]}-{code[8:]}（审计记录 #{head.last_seq}）"


def test_the_notice_and_the_results_workbook_carry_the_chain_head(published: World) -> None:
    expected = printed_code()
    notice = Document(io.BytesIO(docx.write_notice(published.cycle)))
    assert notice.paragraphs[-1].text == expected
    sheet = load_workbook(io.BytesIO(excel.write_cycle_results(published.cycle)))["审计校验码"]
    head = ChainHead.objects.get(pk=1)
    assert [sheet["A1"].value, sheet["B1"].value] == ["校验码", expected.split()[1].split("（")[0]]
    assert [sheet["A2"].value, sheet["B2"].value] == ["审计记录", f"#{head.last_seq}"]


def test_a_printed_code_is_checked_against_the_log(published: World, capsys: pytest.CaptureFixture[str]) -> None:
    printed = printed_code()
    code = printed.split()[1].split("（")[0]
    seq = ChainHead.objects.get(pk=1).last_seq
    assert main(["audit", "verify", "--anchor", printed]) == 0
    assert f"校验码 {code} 与审计记录 #{seq} 一致" in capsys.readouterr().out
    assert main(["audit", "verify", "--anchor", code.replace("-", "").upper()]) == 0  # without the position
    add_unit("229999")  # the log grows after printing: the printed code still checks
    assert main(["audit", "verify", "--anchor", printed]) == 0
    capsys.readouterr()
    # Someone holding the key rewrites an entry before the printed one and re-signs every later entry: the chain
    # verifies, the printed code does not.
    victim = AuditLog.objects.filter(action="verification.save").order_by("seq").first()
    assert victim is not None and victim.seq < seq
    prev = AuditLog.objects.get(seq=victim.seq - 1).hash
    for entry in AuditLog.objects.filter(seq__gte=victim.seq).order_by("seq"):
        if entry.seq == victim.seq:
            entry.reason = "核实无误（改写）"
        entry.prev_hash = prev
        entry.hash = entry.compute_hash(TEST_AUDIT_KEY.encode())
        sql(
            "UPDATE audit_auditlog SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [entry.reason, entry.prev_hash, entry.hash, entry.pk],
        )
        prev = entry.hash
    sql("UPDATE audit_chainhead SET last_hash = %s WHERE id = 1", [prev])
    assert verify_chain().ok
    assert main(["audit", "verify", "--anchor", printed]) == 1
    now = AuditLog.objects.get(seq=seq).hash
    out = capsys.readouterr()
    assert f"审计记录 #{seq} 的校验码现为 {now[:4]}-{now[4:8]}-{now[8:12]}，打印件上为 {code}" in out.err
    # a re-signed log that contradicts a printed code is never reported as passed
    assert "审计校验发现校验码与打印件不符" in out.err and "审计校验通过" not in out.out + out.err
    assert main(["audit", "verify", "--anchor", "1234"]) == 2  # not a code: a user mistake


# ------------------------------------------------------------------------------------------------ the empty log
def test_an_empty_log_says_so(db: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify"]) == 0
    assert "审计日志为空" in capsys.readouterr().out


def test_an_empty_log_with_data_fails(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    sql("DELETE FROM audit_auditlog")
    sql("UPDATE audit_chainhead SET last_seq = 0, last_hash = %s WHERE id = 1", [GENESIS_HASH])
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "审计日志为空（没有任何审计记录）" in err and "审计日志为空，但数据库中有" in err


# ------------------------------------------------------------------------------------------------ legacy chains
def _legacy_chain(count: int) -> None:
    """Entries as the code before the keyed chain wrote them: plain SHA-256, no key id, no row snapshots."""
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        entry = AuditLog.objects.filter(seq=seq).first()
        assert entry is not None
        payload = canonical(
            [
                entry.seq,
                entry.created_at.isoformat(),
                entry.actor_name,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.what,
                entry.old_value,
                entry.new_value,
                entry.reason,
                prev,
            ]
        )
        digest = hashlib.sha256(payload.encode()).hexdigest()
        sql(
            "UPDATE audit_auditlog SET rows = '', key_id = '', prev_hash = %s, hash = %s WHERE seq = %s",
            [prev, digest, seq],
        )
        prev = digest
    sql("UPDATE audit_chainhead SET last_seq = %s, last_hash = %s WHERE id = 1", [count, prev])


def test_migration_0003_re_signs_an_intact_legacy_chain(db: Any) -> None:
    for n in range(3):
        add_unit(f"90000{n}")
    _legacy_chain(3)
    assert "没有密钥签名" in verify_chain().problems[0].message
    importlib.import_module("kaohe.audit.migrations.0003_keyed_chain").resign(apps, None)
    assert verify_chain().ok
    assert set(AuditLog.objects.values_list("key_id", flat=True)) == {expected_id(TEST_AUDIT_KEY)}


def test_migration_0003_leaves_a_broken_legacy_chain_for_verify_to_report(db: Any) -> None:
    for n in range(3):
        add_unit(f"90000{n}")
    _legacy_chain(3)
    sql("UPDATE audit_auditlog SET what = %s WHERE seq = 2", ["改过"])
    importlib.import_module("kaohe.audit.migrations.0003_keyed_chain").resign(apps, None)
    assert set(AuditLog.objects.values_list("key_id", flat=True)) == {""}
    assert not verify_chain().ok


# --------------------------------------------------------------------------------------------- every path replays clean
def test_every_action_path_replays_clean(world: World) -> None:
    """Returns, resubmission, evidence, imports, findings, letters, evaluation twice, reopening, approval,
    publication, accounts and roles through actions and the admin, a user saved by Django itself: after each
    kind of write the data still equals what the log recorded."""
    office, leader, walt = world.people["alice"], world.people["linda"], world.people["walt"]

    def clean() -> None:
        report = verify_all()
        assert report.ok, report.problems

    world.fill("A")
    actions.check_add_evidence(
        item=world.item("A", "1"), upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"), acting_user=world.people["fay"]
    )
    world.submit("A")
    item = world.item("A", "1")
    actions.check_return_item(item=item, comment="请补充监测报告", version=item.version, acting_user=walt)
    clean()
    item = world.item("A", "1")  # a returned unit corrects its returned items only (issue 10 §1)
    actions.check_save_self_evaluation(
        item=item,
        raw_values={"water_months": 2},
        self_score=None,
        explanation="",
        version=item.version,
        acting_user=world.people["fay"],
    )
    world.submit("A")  # the returned item is open again
    clean()
    actions.do_import_monitoring_values(
        cycle=world.cycle, rows=[{"unit_id": "220200", "good_days": 90.0}], source="省站", acting_user=office
    )
    actions.check_save_findings(cycle=world.cycle, unit_code="220100", raw={"major_incident": "否"}, acting_user=office)
    actions.check_decide_remaining_findings_no(cycle=world.cycle, acting_user=office)
    actions.check_issue_letter(
        letter=world.cycle.letters.get(unit=world.units["B"]), raw={"good_days_target": "88"}, acting_user=office
    )
    clean()
    world.verify_all("A")
    for code in ("B", "C"):
        world.fill(code)
        world.submit(code)
        world.verify_all(code)
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    actions.check_send_back_cycle(cycle=world.cycle, comment="请复核甲市", acting_user=leader)
    actions.check_reopen_verification(assessment=world.assessment("A"), reason="复核", acting_user=office)
    item = world.item("A", "1")
    actions.check_verify_item(
        item=item,
        raw_values={"water_months": 3},
        score=None,
        reason="复核为 3 个月",
        version=item.version,
        acting_user=walt,
    )
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)  # replaces the Result rows
    clean()
    actions.check_approve_cycle(cycle=world.cycle, acting_user=leader)
    actions.check_publish_cycle(cycle=world.cycle, acting_user=office)
    clean()

    # accounts and roles: the actions, the admin, and Django's own writes (createsuperuser, a password form)
    root = User.objects.create_superuser("root", password="x" * 16)
    nina = actions.do_create_user(username="nina", password="y" * 16, acting_user=root)
    role = actions.do_add_membership(user=nina, role=Membership.Role.FILLER, unit=world.units["B"], acting_user=root)
    actions.do_change_membership(membership=role, changes={"role": Membership.Role.HEAD}, acting_user=root)
    actions.do_change_user(user=nina, changes={"is_staff": True, "first_name": "Nina"}, acting_user=root)
    actions.do_set_password(user=nina, password="z" * 16, acting_user=root)
    clean()
    fay = world.people["fay"]
    fay.set_password("a-new-password-for-fay")
    fay.save()  # e.g. Django's own password-change form
    actions.do_remove_membership(membership=role, acting_user=root)
    clean()
    client = world.client("alice")
    client.force_login(root)
    unit = actions.do_create_unit(code="229999", name="丁县", type="county", sequence="county", acting_user=root)
    actions.do_add_membership(
        user=User.objects.create_user("otto"), role=Membership.Role.FILLER, unit=unit, acting_user=root
    )
    assert (
        client.post(
            f"/admin/assessments/unit/{unit.pk}/change/",
            {
                "code": "229999",
                "name": "丁县（新）",
                "type": "county",
                "sequence": "county",
                "parent": "",
            },
        ).status_code
        == 302
    )
    assert client.post(f"/admin/assessments/unit/{unit.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(user__username="otto").exists()  # cascaded with the unit
    assert (
        client.post(f"/admin/auth/user/{User.objects.get(username='otto').pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    clean()
    assert json.loads(AuditLog.objects.filter(action="user.delete").get().rows) == {
        "auth.user": {str(AuditLog.objects.filter(action="user.delete").get().object_id): None}
    }


# ------------------------------------------------------------------------------------------------ a live system
@pytest.mark.django_db(transaction=True)
def test_verify_outside_a_transaction_reads_one_point_in_time(capsys: pytest.CaptureFixture[str]) -> None:
    """As the CLI and the audit page run it: no transaction around it, so verify opens its own read snapshot."""
    add_unit("900001")
    assert not connection.in_atomic_block
    assert main(["audit", "verify"]) == 0, capsys.readouterr().err
    assert not connection.in_atomic_block  # and closes it


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_committed_while_verify_runs_is_not_a_discrepancy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone renames a unit through the action after verify has read the log and before it reads the rows: in
    one REPEATABLE READ snapshot verify sees neither the entry nor the new name, and reports nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once need PostgreSQL (the SQLite test database is one shared in-memory file)")
    import threading

    from django.db import connection as conn

    from kaohe.assessments import integrity
    from kaohe.assessments.models import Unit

    add_unit("900001")
    unit = Unit.objects.get(code="900001")
    original = verify_chain  # the chain check integrity.verify_all calls

    def chain_then_a_concurrent_write(on_entry: Callable[[AuditLog], None] | None = None) -> ChainReport:
        report = original(on_entry)

        def rename() -> None:
            try:
                row = Unit.objects.get(pk=unit.pk)
                from django.db import transaction

                with transaction.atomic():
                    Unit.objects.filter(pk=row.pk).update(name="改名后的单位")
                    from kaohe.audit.actions import do_append_audit

                    do_append_audit(acting_user=None, action="admin.change", obj=row, what="name")
            finally:
                conn.close()

        writer = threading.Thread(target=rename)
        writer.start()
        writer.join(10)
        return report

    monkeypatch.setattr(integrity, "verify_chain", chain_then_a_concurrent_write)
    report = integrity.verify_all()
    assert report.ok, report.problems
    assert Unit.objects.get(pk=unit.pk).name == "改名后的单位"  # the write did happen
    monkeypatch.setattr(integrity, "verify_chain", original)
    assert integrity.verify_all().ok
