"""The files of a 调度记录 entry: 申请销号's 佐证材料 and 进展报告's 附件, uploaded with the step, checked as the
assessments' evidence is (size, type, content), stored under a generated name, downloaded by whoever may see the
problem, and held by ``kaohe audit verify`` to the SHA-256 the step's audit entry recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.assessments.integrity import verify_all
from kaohe.audit.models import AuditLog
from kaohe.ledgers.models import RectificationProblem, RectificationReport, ReportEvidence
from tests.ledgers.helpers import import_rectification, problem
from tests.world import World

PDF = b"%PDF-1.4\n% the acceptance report\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
PDF_DAY = dt.date(2025, 2, 28)


@pytest.fixture
def ledger(world: World) -> World:
    import_rectification(world)
    return world


def apply(world: World, who: str, files: list[Any]) -> Any:
    pk = problem("P-A1").pk
    data = {"apply-completed_on": "2025-02-28", "apply-text": "管网改造完成，附竣工验收报告", "apply-files": files}
    return world.client(who).post(f"/ledgers/rectification/{pk}/apply/", data)


def test_the_units_files_go_with_its_application_and_verify_clean(ledger: World) -> None:
    files = [SimpleUploadedFile("竣工验收报告.pdf", PDF), SimpleUploadedFile("现场照片.png", PNG)]
    assert apply(ledger, "fay", files).status_code == 302
    report = RectificationReport.objects.get(kind="apply")
    stored = list(report.files.order_by("pk"))
    assert [(f.original_name, f.content_type, f.size) for f in stored] == [
        ("竣工验收报告.pdf", "application/pdf", len(PDF)),
        ("现场照片.png", "image/png", len(PNG)),
    ]
    assert all("竣工" not in f.file.name and "照片" not in f.file.name for f in stored)  # generated names
    entry = AuditLog.objects.get(action="rectification.apply")
    snaps = entry.decoded_rows()["ledgers.reportevidence"]
    assert sorted(s["sha256"] for s in snaps.values()) == sorted(f.sha256 for f in stored)
    report_ = verify_all()
    assert report_.ok and report_.files == 2, report_.problems
    # the detail page lists them; the unit and the office download them, 乙市 does not
    page = ledger.client("alice").get(f"/ledgers/rectification/{report.problem_id}/").content.decode()
    assert "竣工验收报告.pdf" in page and f"/ledgers/rectification/files/{stored[0].pk}/" in page
    for who, status in (("fay", 200), ("alice", 200), ("vera", 200), ("bob", 403)):
        response = ledger.client(who).get(f"/ledgers/rectification/files/{stored[0].pk}/")
        assert response.status_code == status, who
        if status == 200:
            assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
            assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("报告.exe", b"MZ\x90\x00", "只接受 PDF"),
        ("报告.pdf", b"<html>not a pdf</html>", "文件内容与扩展名不符"),
        ("空.pdf", b"", "文件为空"),
    ],
)
def test_a_refused_file_refuses_the_step_and_nothing_is_written(
    ledger: World, name: str, content: bytes, why: str
) -> None:
    before = AuditLog.objects.count()
    response = apply(ledger, "fay", [SimpleUploadedFile("照片.png", PNG), SimpleUploadedFile(name, content)])
    assert response.status_code == 400
    assert f"附件「{name}」" in response.content.decode() and why in response.content.decode()
    assert problem("P-A1").state == RectificationProblem.State.OPEN
    assert not RectificationReport.objects.exists() and not ReportEvidence.objects.exists()
    assert AuditLog.objects.count() == before


def test_a_progress_report_carries_files_too(ledger: World) -> None:
    pk = problem("P-A1").pk
    data = {
        "progress-date": "2025-01-31",
        "progress-text": "一月进展",
        "progress-files": [SimpleUploadedFile("简报.pdf", PDF)],
    }
    assert ledger.client("fay").post(f"/ledgers/rectification/{pk}/progress/", data).status_code == 302
    [stored] = ReportEvidence.objects.all()
    assert stored.report.kind == "progress" and stored.original_name == "简报.pdf"
    assert verify_all().ok


def test_verify_sees_a_file_replaced_on_disk_and_a_hash_edited_in_the_database(ledger: World) -> None:
    assert apply(ledger, "fay", [SimpleUploadedFile("竣工验收报告.pdf", PDF)]).status_code == 302
    stored = ReportEvidence.objects.get()
    with stored.file.storage.open(stored.file.name, "wb") as handle:
        handle.write(PDF.replace(b"acceptance", b"forged one"))
    problems = "\n".join(verify_all().problems)
    assert f"调度记录附件 #{stored.pk}「竣工验收报告.pdf」：文件被替换或改动" in problems
    ReportEvidence.objects.filter(pk=stored.pk).update(sha256="0" * 64)
    problems = "\n".join(verify_all().problems)
    assert f"调度记录附件 #{stored.pk}「竣工验收报告.pdf」：记录的文件哈希被改动" in problems


def test_a_step_that_fails_after_storing_its_files_leaves_no_file_behind(
    ledger: World, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # the audit entry cannot be written (say, the database refuses it): the step is rolled back, and the files it had
    # stored are removed again, not left without a row that names them
    from pathlib import Path

    from kaohe.ledgers import actions

    def refuse(**_: Any) -> None:
        raise RuntimeError("the audit log refused the entry")

    monkeypatch.setattr(actions, "do_append_audit", refuse)
    files = [SimpleUploadedFile("竣工验收报告.pdf", PDF), SimpleUploadedFile("现场照片.png", PNG)]
    with pytest.raises(RuntimeError):
        actions.check_apply_closure(
            problem=problem("P-A1"),
            completed_on=PDF_DAY,
            text="管网改造完成",
            acting_user=ledger.people["fay"],
            files=files,
        )
    assert not ReportEvidence.objects.exists() and problem("P-A1").state == RectificationProblem.State.OPEN
    assert [p for p in (Path(settings.MEDIA_ROOT) / "ledgers").rglob("*") if p.is_file()] == []
