"""Evidence previewed in the page, replaced and deleted while the unit may still change the item (issue 10 §2).

Previews: PNG, JPEG, GIF inline in an <img>, PDF in an <iframe>, served inline by their own view with nosniff and
same-origin framing for that view alone; every other type is download only. Replace and delete: audited with the
file's SHA-256, the old file leaves storage after the commit, and ``kaohe audit verify`` stays clean."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.assessments import actions, evidence_files
from kaohe.assessments.integrity import verify_all
from kaohe.assessments.models import Evidence
from kaohe.audit.models import AuditLog
from tests.world import World

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
DOCX = b"PK\x03\x04" + b"\x00" * 32


def add(world: World, name: str, data: bytes, indicator: str = "2", who: str = "fay") -> Evidence:
    return actions.check_add_evidence(
        item=world.item("A", indicator), upload=SimpleUploadedFile(name, data), acting_user=world.people[who]
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def csp(response: Any) -> dict[str, str]:
    """The Content-Security-Policy header as directive → sources."""
    parts = [p.strip().split(" ", 1) for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


# ------------------------------------------------------------------------------------------------ preview
def test_a_pdf_previews_inline_framed_by_this_site_only(world: World) -> None:
    evidence = add(world, "监测报告.pdf", PDF)
    response = world.client("fay").get(f"/evidence/{evidence.pk}/preview/")
    assert response.status_code == 200 and body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = csp(response)
    assert policy["frame-ancestors"] == "'self'"
    # nothing else of the site's policy changes
    assert policy["object-src"] == "'none'" and policy["script-src"] == "'self'" and policy["default-src"] == "'self'"


@pytest.mark.parametrize(
    ("name", "data", "content_type"), [("照片.png", PNG, "image/png"), ("图.gif", GIF, "image/gif")]
)
def test_an_image_previews_inline(world: World, name: str, data: bytes, content_type: str) -> None:
    evidence = add(world, name, data)
    response = world.client("fay").get(f"/evidence/{evidence.pk}/preview/")
    assert response.status_code == 200 and body(response) == data
    assert response["Content-Type"] == content_type and response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "SAMEORIGIN"
    policy = csp(response)
    assert policy["frame-ancestors"] == "'self'" and policy["object-src"] == "'none'"


def test_other_files_are_download_only(world: World) -> None:
    evidence = add(world, "台账.docx", DOCX)
    assert world.client("fay").get(f"/evidence/{evidence.pk}/preview/").status_code == 404
    page = world.client("fay").get(f"/assessments/{world.assessment('A').pk}/").content.decode()
    assert f"/evidence/{evidence.pk}/preview/" not in page and f"/evidence/{evidence.pk}/" in page


def test_nothing_else_is_loosened(world: World) -> None:
    evidence = add(world, "监测报告.pdf", PDF)
    fay = world.client("fay")
    download = fay.get(f"/evidence/{evidence.pk}/")
    body(download)
    page = fay.get(f"/assessments/{world.assessment('A').pk}/")
    for response in (download, page):
        assert response["X-Frame-Options"] == "DENY"
        assert csp(response)["frame-ancestors"] == "'none'" and csp(response)["object-src"] == "'none'"
    assert download["Content-Disposition"].startswith("attachment")


def test_the_page_shows_images_inline_and_pdfs_in_a_frame(world: World) -> None:
    pdf, png = add(world, "监测报告.pdf", PDF), add(world, "照片.png", PNG)
    page = world.client("fay").get(f"/assessments/{world.assessment('A').pk}/").content.decode()
    assert f'<img src="/evidence/{png.pk}/preview/"' in page
    assert f'<iframe src="/evidence/{pdf.pk}/preview/"' in page


def test_previews_follow_the_download_rule(world: World) -> None:
    evidence = add(world, "监测报告.pdf", PDF)
    url = f"/evidence/{evidence.pk}/preview/"
    for who in ("fay", "hank", "alice", "linda"):
        response = world.client(who).get(url)
        assert response.status_code == 200, who
        body(response)
    for who in ("bob", "vera", "walt"):  # 乙市's filler; the verifiers before submission
        assert world.client(who).get(url).status_code == 403, who
    world.fill("A")
    world.submit("A")
    response = world.client("vera").get(url)
    assert response.status_code == 200
    body(response)
    assert world.client("bob").get(url).status_code == 403


# ------------------------------------------------------------------------------------------------ replace, delete
def test_the_unit_replaces_a_file_before_submission(
    world: World, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    evidence = add(world, "监测报告.pdf", PDF)
    old_path = Path(evidence.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("fay").post(
            f"/evidence/{evidence.pk}/replace/",
            {"sha256": sha(PDF), "file": SimpleUploadedFile("现场照片.png", PNG)},
        )
    assert response.status_code == 302
    row = Evidence.objects.get()
    assert row.pk == evidence.pk
    assert (row.original_name, row.content_type, row.size, row.sha256) == (
        "现场照片.png",
        "image/png",
        len(PNG),
        sha(PNG),
    )
    assert Path(row.file.path).read_bytes() == PNG
    assert Path(row.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not old_path.exists()  # removed once the replacement committed
    entry = AuditLog.objects.get(action="evidence.replace")
    assert (entry.object_type, entry.object_id, entry.actor_name) == ("assessments.evidence", str(evidence.pk), "fay")
    assert json_of(entry.old_value)["sha256"] == sha(PDF) and entry.decoded_new()["sha256"] == sha(PNG)
    report = verify_all()
    assert report.ok, report.problems


def json_of(text: str) -> Any:
    import json

    return json.loads(text)


def test_the_unit_deletes_a_file_before_submission(world: World, django_capture_on_commit_callbacks: Any) -> None:
    evidence = add(world, "监测报告.pdf", PDF)
    path = Path(evidence.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("hank").post(f"/evidence/{evidence.pk}/delete/", {"sha256": sha(PDF)})
    assert response.status_code == 302
    assert not Evidence.objects.exists() and not path.exists()
    entry = AuditLog.objects.get(action="evidence.delete")
    assert (entry.object_type, entry.object_id, entry.actor_name) == ("assessments.evidence", str(evidence.pk), "hank")
    assert json_of(entry.old_value) == {
        "item": evidence.item_id,
        "name": "监测报告.pdf",
        "sha256": sha(PDF),
        "size": 29,
    }
    report = verify_all()
    assert report.ok, report.problems  # neither "文件缺失" nor a row the log never recorded


def test_a_swapped_file_is_still_caught_after_a_replacement(world: World) -> None:
    evidence = add(world, "监测报告.pdf", PDF)
    row = evidence_files.check_replace_evidence(
        evidence=evidence,
        upload=SimpleUploadedFile("b.gif", GIF),
        expected_sha256=sha(PDF),
        acting_user=world.people["fay"],
    )
    Path(row.file.path).write_bytes(PNG)
    assert any("文件被替换或改动" in p for p in verify_all().problems)


def test_replace_and_delete_close_once_submitted(world: World, django_capture_on_commit_callbacks: Any) -> None:
    evidence = add(world, "监测报告.pdf", PDF)
    world.fill("A")
    world.submit("A")
    evidence = Evidence.objects.select_related("item__assessment").get(pk=evidence.pk)  # as a request reads it
    fay = world.people["fay"]
    with pytest.raises(actions.ActionError, match="没有权限"):
        evidence_files.check_delete_evidence(evidence=evidence, expected_sha256=sha(PDF), acting_user=fay)
    with pytest.raises(actions.ActionError, match="没有权限"):
        evidence_files.check_replace_evidence(
            evidence=evidence, upload=SimpleUploadedFile("b.png", PNG), expected_sha256=sha(PDF), acting_user=fay
        )
    with django_capture_on_commit_callbacks(execute=True):
        for who in ("fay", "hank", "alice", "vera"):
            client = world.client(who)
            assert client.post(f"/evidence/{evidence.pk}/delete/", {"sha256": sha(PDF)}).status_code == 403, who
            replace = {"sha256": sha(PDF), "file": SimpleUploadedFile("b.png", PNG)}
            assert client.post(f"/evidence/{evidence.pk}/replace/", replace).status_code == 403, who
    # the write itself refuses too, under the assessment's lock
    with pytest.raises(actions.ActionError, match="已提交"):
        evidence_files.do_delete_evidence(evidence=evidence, acting_user=fay)
    row = Evidence.objects.get()
    assert row.sha256 == sha(PDF) and Path(row.file.path).read_bytes() == PDF
    assert not AuditLog.objects.filter(action__in=["evidence.replace", "evidence.delete"]).exists()


def test_a_returned_item_reopens_its_own_evidence_only(world: World, django_capture_on_commit_callbacks: Any) -> None:
    on_2, on_1 = add(world, "二.pdf", PDF, "2"), add(world, "一.pdf", PDF, "1")
    world.fill("A")
    world.submit("A")
    item = world.item("A", "2")
    actions.check_return_item(item=item, comment="请补充", version=item.version, acting_user=world.people["vera"])
    fay = world.client("fay")
    with django_capture_on_commit_callbacks(execute=True):
        assert fay.post(f"/evidence/{on_1.pk}/delete/", {"sha256": sha(PDF)}).status_code == 403  # not returned
        assert fay.post(f"/evidence/{on_2.pk}/delete/", {"sha256": sha(PDF)}).status_code == 302
    assert list(Evidence.objects.values_list("pk", flat=True)) == [on_1.pk]
    report = verify_all()
    assert report.ok, report.problems


def test_a_file_someone_else_replaced_meanwhile_is_not_deleted(world: World) -> None:
    evidence = add(world, "监测报告.pdf", PDF)
    evidence_files.check_replace_evidence(
        evidence=evidence,
        upload=SimpleUploadedFile("新.png", PNG),
        expected_sha256=sha(PDF),
        acting_user=world.people["hank"],
    )
    response = world.client("fay").post(f"/evidence/{evidence.pk}/delete/", {"sha256": sha(PDF)}, follow=True)
    assert str(evidence_files.STALE) in response.content.decode()
    assert Evidence.objects.get().sha256 == sha(PNG)


def test_bob_cannot_touch_another_units_evidence(world: World) -> None:
    evidence = add(world, "监测报告.pdf", PDF)
    bob = world.client("bob")
    assert bob.get(f"/evidence/{evidence.pk}/preview/").status_code == 403
    assert bob.post(f"/evidence/{evidence.pk}/delete/", {"sha256": sha(PDF)}).status_code == 403
    replace = {"sha256": sha(PDF), "file": SimpleUploadedFile("b.png", PNG)}
    assert bob.post(f"/evidence/{evidence.pk}/replace/", replace).status_code == 403
    assert Evidence.objects.get().sha256 == sha(PDF)


def test_the_items_history_keeps_deleted_files_and_lists_comments(world: World) -> None:
    from kaohe.assessments import comments

    kept, gone = add(world, "保留.pdf", PDF), add(world, "删除.pdf", PDF)
    evidence_files.check_delete_evidence(evidence=gone, expected_sha256=sha(PDF), acting_user=world.people["fay"])
    comments.check_add_comment(item=world.item("A", "2"), text="已补充报告", acting_user=world.people["fay"])
    page = world.client("fay").get(f"/items/{kept.item_id}/history/").content.decode()
    assert "删除.pdf" in page and "保留.pdf" in page  # both uploads, the deleted one too
    assert "删除佐证材料" in page and "留言" in page and "已补充报告" in page  # the actions in words
