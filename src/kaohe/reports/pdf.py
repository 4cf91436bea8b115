"""Word → PDF through LibreOffice headless (Debian's ``libreoffice-writer-nogui``; docs/deploy.md).

Each conversion runs in its own temporary directory with its own LibreOffice profile (two conversions at once
would otherwise fight over one profile's lock) and a timeout. ``fonts.conf`` beside this module maps the
documents' Chinese font names to Noto CJK, so the PDF embeds real CJK fonts instead of boxes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 120
FONTS_CONF = Path(__file__).with_name("fonts.conf")
MISSING = (
    "无法生成 PDF：服务器未安装 LibreOffice（Debian 软件包 libreoffice-writer-nogui，见 docs/deploy.md）。"
    "请下载 Word 版本。"
)


class PdfUnavailable(RuntimeError):
    """No PDF can be made here; ``str()`` is a Chinese sentence for the user."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes) -> bytes:
    """The PDF of a .docx. Raises :class:`PdfUnavailable` when LibreOffice is missing, fails or takes too long."""
    program = soffice()
    if program is None:
        raise PdfUnavailable(MISSING)
    with tempfile.TemporaryDirectory(prefix="kaohe-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(data)
        env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "HOME": tmp}
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(folder),
            str(source),
        ]
        # A session of its own: on timeout the whole group goes (soffice runs soffice.bin as a child).
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            slow = f"无法生成 PDF：LibreOffice 在 {TIMEOUT_SECONDS} 秒内未完成转换，请稍后重试或下载 Word 版本。"
            raise PdfUnavailable(slow) from None
        target = folder / "document.pdf"
        if not target.is_file():
            raise PdfUnavailable("无法生成 PDF：LibreOffice 转换失败，请下载 Word 版本。")
        return target.read_bytes()
