"""`kaohe backup OUT` / `kaohe restore IN` (issue 8 §3): a restored instance verifies and exports the same results.

The source is this test's database (SQLite or PostgreSQL, whichever the suite runs on); the restore goes into a
fresh SQLite file through the command line, as an office moving to a new machine would do it.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import load_workbook

from kaohe.assessments import actions
from kaohe.assessments.models import Result
from kaohe.audit.actions import verify_chain
from kaohe.reports import docx, excel
from kaohe.web.backup import BackupError, backup, restore
from tests.world import World, build_world

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n% evidence for the backup test\n"


def kaohe(*args: str, var: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "MEDIA_ROOT")}
    env["KAOHE_VAR_DIR"] = str(var)
    var.parent.mkdir(parents=True, exist_ok=True)
    # The key stays with its owner (the backup names it only): the new machine is given the same key file.
    env["KAOHE_AUDIT_KEY_FILE"] = str(settings.KAOHE_AUDIT_KEY_FILE)
    return subprocess.run(
        [str(Path(sys.executable).with_name("kaohe")), *args],
        cwd=var.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def workbook_cells(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def notice_text(data: bytes) -> list[str]:
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines.extend(" | ".join(cell.text for cell in row.cells) for row in table.rows)
    return lines


def published_world() -> World:
    world = build_world()
    world.fill("A")
    item = world.item("A", "1")
    actions.check_add_evidence(item=item, upload=SimpleUploadedFile("台账.pdf", PDF), acting_user=world.people["fay"])
    world.fill("B")
    world.fill("C")
    for unit in ("A", "B", "C"):
        world.submit(unit)
        world.verify_all(unit)
    office = world.people["alice"]
    if hasattr(actions, "check_decide_remaining_findings_no"):
        actions.check_decide_remaining_findings_no(cycle=world.cycle, acting_user=office)
    actions.check_evaluate_cycle(cycle=world.cycle, acting_user=office)
    actions.check_approve_cycle(cycle=world.cycle, acting_user=world.people["linda"])
    actions.check_publish_cycle(cycle=world.cycle, acting_user=office)
    return world


@pytest.mark.django_db(transaction=True)
def test_a_restored_instance_verifies_and_exports_the_same(tmp_path: Path) -> None:
    world = published_world()
    assert Result.objects.filter(cycle=world.cycle).count() == 3
    workbook, notice = excel.write_cycle_results(world.cycle), docx.write_notice(world.cycle)
    archive = tmp_path / "kaohe-backup.zip"

    outcome = backup(archive)
    assert outcome.files == 2  # the uploaded scheme and the evidence file

    with zipfile.ZipFile(archive) as stored:
        manifest = json.loads(stored.read("manifest.json"))
        names = stored.namelist()
    assert manifest["audit_key"]["id"]  # the key's fingerprint, and where it is kept …
    assert "kept_in" in manifest["audit_key"]
    key_file = Path(settings.KAOHE_AUDIT_KEY_FILE)
    if key_file.is_file():  # … but never the key itself
        for line in key_file.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                with zipfile.ZipFile(archive) as stored:
                    assert all(line.strip().encode() not in stored.read(n) for n in names)
    assert not any(name.startswith("data/sessions.") for name in names)
    assert manifest["tables"]["assessments.result"]["rows"] == 3

    var = tmp_path / "new-machine" / "var"
    done = kaohe("restore", str(archive), var=var)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr  # the same key is in place

    verified = kaohe("audit", "verify", var=var)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    cycle = str(world.cycle.pk)
    assert kaohe("export", cycle, "--out", str(tmp_path / "r.xlsx"), var=var).returncode == 0
    assert kaohe("export", cycle, "--out", str(tmp_path / "t.docx"), var=var).returncode == 0
    assert workbook_cells((tmp_path / "r.xlsx").read_bytes()) == workbook_cells(workbook)
    assert notice_text((tmp_path / "t.docx").read_bytes()) == notice_text(notice)
    evidence = next((var / "media" / "evidence").rglob("*.pdf"))
    assert evidence.read_bytes() == PDF

    again = kaohe("restore", str(archive), var=var)
    assert again.returncode == 2 and "not empty" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_restore_in_place_with_force_and_a_key_warning(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into this test's own database (SQLite or PostgreSQL): refused while it holds data, replaced with --force;
    a different audit key is named in a warning."""
    world = published_world()
    archive = tmp_path / "b.zip"
    backup(archive)
    before = verify_chain()
    with pytest.raises(BackupError, match="not empty"):
        restore(archive)
    world.units["A"].name = "改过的名字"
    world.units["A"].save()
    signed_in = world.client("alice")
    dashboard = f"/cycles/{world.cycle.pk}/"
    for _ in range(2):  # the second view keeps the page (kaohe.web.workcache)
        assert "改过的名字" in signed_in.get(dashboard).content.decode()
    settings.KAOHE_AUDIT_KEY_FILE = tmp_path / "other.key"
    (tmp_path / "other.key").write_text("x" * 64 + "\n")
    monkeypatch.delenv("KAOHE_AUDIT_KEY", raising=False)
    outcome = restore(archive, force=True)
    assert any("signed with key" in w for w in outcome.warnings)
    world.units["A"].refresh_from_db()
    assert world.units["A"].name == "甲市"
    assert Result.objects.filter(cycle=world.cycle).count() == 3
    assert before.ok
    # whoever was signed in signs in again, and no page kept before the restore is shown
    response = signed_in.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not list((Path(settings.CACHES["pages"]["LOCATION"])).glob("*.djcache"))


@pytest.mark.parametrize(
    ("member", "body", "refusal"),
    [
        (
            "data/assessments.unit.jsonl",
            b"\0" * (2 * 1024 * 1024),
            "member 'data/assessments.unit.jsonl' unpacks to 2 MB",
        ),
        ("media/../../../etc/kaohe.key", b"x", "member 'media/../../../etc/kaohe.key' points outside the archive"),
    ],
)
def test_restore_refuses_a_zip_bomb_or_an_escaping_member_before_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, member: str, body: bytes, refusal: str
) -> None:
    # No database: a restore that queried it before this check would fail with "Database access not allowed".
    monkeypatch.setenv("KAOHE_MAX_UNPACKED_MB", "1")
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("manifest.json", json.dumps({"format": "kaohe-backup", "format_version": 1}))
        out.writestr(member, body)
    with pytest.raises(BackupError, match=re.escape(refusal)) as refused:
        restore(archive)
    assert str(refused.value).startswith(f"{archive}: ")
