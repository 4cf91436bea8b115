"""File guards run before any work: a file a user names is a readable regular file of bounded size (and an .xlsx
bounded once unpacked), an output path is a writable file in an existing folder (issue 9 §2, bounded cost).

Every refusal is a :class:`UserInputError` with one located :class:`Problem`, so the command line prints one line
and exits with status 2. The web app's self-evaluation upload applies :func:`zip_unpacked_size` the same way;
``kaohe restore`` checks its backup with :func:`zip_archive`.

Bounds (chosen here; the seeds set none):

- ``MAX_INPUT_BYTES`` — 4 GiB on disk: a national year of hourly air data as CSV is about 1 GB.
- ``MAX_UNPACKED_BYTES`` — 1 GiB of XML inside an .xlsx (``KAOHE_MAX_UNPACKED_MB`` overrides it). A full Excel
  sheet of hourly data (1,048,576 rows × 9 columns) unpacks to about 400 MB and 20,000 units × 199 inputs to about
  150 MB; an .xlsx that inflates to 1.5 GB is a zip bomb, not a workbook.
- A backup zip (:func:`zip_archive`): no bound on disk (its media files are stored, as large as the instance's
  evidence), but every member at most ``MAX_UNPACKED_BYTES`` once unpacked and the whole archive at most
  ``MAX_UNPACKED_BYTES`` more than its size on disk: what inflates is the database's JSON, a few hundred MB at most.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import zipfile
from pathlib import Path

from kaohe.core.exceptions import Problem, UserInputError

MAX_INPUT_BYTES = 4 * 1024**3
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".docx")


def max_unpacked_bytes() -> int:
    """1 GiB, or ``KAOHE_MAX_UNPACKED_MB`` MB."""
    text = os.environ.get("KAOHE_MAX_UNPACKED_MB", "").strip()
    return int(text) * 1024 * 1024 if text.isdigit() and int(text) > 0 else 1024**3


def zip_unpacked_size(source: str | Path | bytes) -> int | None:
    """The sum of the sizes the zip's directory declares for its members (which zipfile's reads never exceed),
    or None when ``source`` is not a readable zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
            return sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def _is_workbook(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def input_file(path: str | Path) -> Path:
    """``path`` if it is a regular file of at most ``MAX_INPUT_BYTES`` (an .xlsx also a complete zip that unpacks to
    at most :func:`max_unpacked_bytes`); otherwise one located refusal."""
    path = Path(path)
    name = str(path)
    _regular_file(path, MAX_INPUT_BYTES)
    if path.suffix.lower() in ZIP_SUFFIXES:
        unpacked = zip_unpacked_size(path)
        if unpacked is None:
            raise UserInputError(Problem("not a readable .xlsx: the file is truncated or damaged", file=name))
        if path.suffix.lower() != ".docx" and not _is_workbook(path):
            raise UserInputError(Problem("not an .xlsx workbook: the zip holds no xl/workbook.xml", file=name))
        limit = max_unpacked_bytes()
        if unpacked > limit:
            message = f"the workbook unpacks to {_mb(unpacked)}; at most {_mb(limit)} (a zip bomb, not a table?)"
            raise UserInputError(Problem(message, file=name))
    return path


def zip_archive(path: str | Path, *, required: str, what: str) -> Path:
    """``path`` if it is a readable regular file holding a complete zip with the member ``required``, whose
    members each unpack to at most :func:`max_unpacked_bytes` and together to at most that much more than the file
    on disk, and whose member names all stay inside the folder they would be unpacked to; otherwise one located
    refusal. The sizes are those the zip's directory declares, which zipfile's reads never exceed."""
    path = Path(path)
    name = str(path)
    _regular_file(path, None)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UserInputError(Problem("not a readable zip: the file is truncated or damaged", file=name)) from None
    limit = max_unpacked_bytes()
    for entry in members:
        member = entry.filename
        parts = member.replace("\\", "/").split("/")
        if member.startswith(("/", "\\")) or ".." in parts or (len(member) > 1 and member[1] == ":"):
            message = f"member {member!r} points outside the archive (an absolute path or ..); not {what}"
            raise UserInputError(Problem(message, file=name))
        if entry.file_size > limit:
            message = f"member {member!r} unpacks to {_mb(entry.file_size)}; at most {_mb(limit)} (a zip bomb?)"
            raise UserInputError(Problem(message, file=name))
    if required not in {entry.filename for entry in members}:
        raise UserInputError(Problem(f"not {what}: the zip holds no {required}", file=name))
    unpacked, on_disk = sum(entry.file_size for entry in members), path.stat().st_size
    if unpacked - on_disk > limit:
        message = f"the archive unpacks to {_mb(unpacked)}; at most {_mb(limit)} more than its size on disk"
        raise UserInputError(Problem(f"{message} (a zip bomb?)", file=name))
    return path


def _regular_file(path: Path, max_bytes: int | None) -> None:
    """Refuses, on one located line, what is not a readable regular file (of at most ``max_bytes``)."""
    name = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UserInputError(Problem("no such file", file=name)) from None
    except OSError as exc:
        raise UserInputError(Problem(f"cannot read the file: {exc.strerror or exc}", file=name)) from None
    if stat.S_ISDIR(info.st_mode):
        raise UserInputError(Problem("is a directory; give a file", file=name))
    if not stat.S_ISREG(info.st_mode):
        raise UserInputError(Problem("is not a regular file (a device or a pipe); give a file", file=name))
    if max_bytes is not None and info.st_size > max_bytes:
        raise UserInputError(Problem(f"the file is {_mb(info.st_size)}; at most {_mb(max_bytes)}", file=name))
    if not os.access(path, os.R_OK):
        raise UserInputError(Problem("cannot read the file: permission denied", file=name))


FIRST_YEAR, LAST_YEAR = 2000, 2100  # as Scheme.year: a 20-digit --year overflowed Polars' Int64 with a traceback


def year_option(value: int | None, option: str = "--year") -> int | None:
    """``value`` if it is an assessment year (or None); otherwise one refusal naming the option."""
    if value is not None and not FIRST_YEAR <= value <= LAST_YEAR:
        shown = str(value) if value.bit_length() < 64 else f"{str(value)[:12]}… ({len(str(value))} digits)"
        raise UserInputError(Problem(f"{option} {shown}: expected a year from {FIRST_YEAR} to {LAST_YEAR}"))
    return value


def output_file(path: str | Path, allowed: tuple[str, ...] | None = None, option: str = "--out") -> Path:
    """``path`` if it names a file that can be written in an existing folder; otherwise one located refusal.
    Tries a temporary file in the folder, so a read-only place is refused before any work, not after it."""
    out = Path(path)
    name = str(out)
    if allowed is not None and out.suffix.lower() not in allowed:
        message = f"{option}: unsupported format {out.suffix!r}; expected one of {', '.join(allowed)}"
        raise UserInputError(Problem(message, file=name))
    if out.is_dir():
        raise UserInputError(Problem(f"{option} names a directory; give a file name", file=name))
    if not out.parent.is_dir():
        raise UserInputError(Problem(f"{option}: the output folder {out.parent} does not exist", file=name))
    if out.exists() and not out.is_file():
        raise UserInputError(Problem(f"{option} is not a regular file", file=name))
    try:
        fd, probe = tempfile.mkstemp(prefix=".kaohe-probe-", dir=out.parent)
    except OSError as exc:
        raise UserInputError(
            Problem(f"{option}: cannot write in {out.parent}: {exc.strerror or exc}", file=name)
        ) from None
    os.close(fd)
    os.unlink(probe)
    if out.exists() and not os.access(out, os.W_OK):
        raise UserInputError(Problem(f"{option}: the file exists and cannot be overwritten", file=name))
    return out
