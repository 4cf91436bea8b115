"""Evidence uploads: type and size limits, generated names under MEDIA, downloads only for those allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.assessments import actions
from kaohe.assessments.models import Evidence
from tests.world import World

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DOCX = b"PK\x03\x04" + b"\x00" * 32


def upload(world: World, name: str, data: bytes, who: str = "fay") -> Any:
    item = world.item("A", "1")
    return world.client(who).post(f"/items/{item.pk}/evidence/", {"file": SimpleUploadedFile(name, data)}, follow=True)


WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 16


@pytest.mark.parametrize(
    ("name", "data"), [("报告.pdf", PDF), ("照片.PNG", PNG), ("台账.docx", DOCX), ("截图.webp", WEBP)]
)
def test_it_accepts_pdf_images_and_office_files(world: World, name: str, data: bytes) -> None:
    response = upload(world, name, data)
    assert "佐证材料已上传" in response.content.decode()
    evidence = Evidence.objects.get()
    assert evidence.original_name == name
    assert Path(evidence.file.path).read_bytes() == data


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("run.exe", b"MZ\x90\x00", "只接受"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "文件内容与扩展名不符"),
        ("empty.pdf", b"", "请选择要上传的文件"),  # Django's form refuses an empty file first
        ("page.html", b"<script>alert(1)</script>", "只接受"),
        ("clip.webp", b"RIFF\x24\x00\x00\x00WAVEfmt ", "文件内容与扩展名不符"),  # RIFF, but a WAV
    ],
)
def test_it_refuses_other_files(world: World, name: str, data: bytes, message: str) -> None:
    response = upload(world, name, data)
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


def test_it_refuses_files_over_the_size_limit(world: World, settings: Any) -> None:
    settings.EVIDENCE_MAX_MB = 1
    response = upload(world, "big.pdf", PDF + b"0" * (1024 * 1024))
    assert "文件过大" in response.content.decode()
    assert not Evidence.objects.exists()


def test_it_stores_files_under_a_generated_name(world: World, settings: Any) -> None:
    upload(world, "../../etc/passwd.pdf", PDF)
    evidence = Evidence.objects.get()
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "passwd" not in stored.name and stored.suffix == ".pdf"
    assert evidence.original_name == "passwd.pdf"


def test_only_people_who_may_see_the_unit_download(world: World) -> None:
    upload(world, "报告.pdf", PDF)
    evidence = Evidence.objects.get()
    ok = world.client("hank").get(f"/evidence/{evidence.pk}/")
    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == PDF  # type: ignore[attr-defined]  # django-stubs: no streaming_content
    assert "attachment" in ok["Content-Disposition"]
    assert world.client("bob").get(f"/evidence/{evidence.pk}/").status_code == 403
    assert world.client("vera").get(f"/evidence/{evidence.pk}/").status_code == 403  # still a draft


def test_verifiers_download_once_submitted(world: World) -> None:
    upload(world, "报告.pdf", PDF)
    world.fill("A")
    world.submit("A")
    response = world.client("vera").get(f"/evidence/{Evidence.objects.get().pk}/")
    assert response.status_code == 200
    b"".join(response.streaming_content)  # type: ignore[attr-defined]  # django-stubs: no streaming_content


def test_uploads_close_once_submitted(world: World) -> None:
    world.fill("A")
    world.submit("A")
    item = world.item("A", "1")
    with pytest.raises(actions.ActionError):
        actions.check_add_evidence(item=item, upload=SimpleUploadedFile("a.pdf", PDF), acting_user=world.people["fay"])
