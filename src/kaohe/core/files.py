"""Atomic file writes with ordinary file modes: the one home for every output file kaohe writes.

    write_atomically(path, write)      write(tmp) fills a temporary file beside ``path``, which then replaces it
    atomic_paths(*paths)               the same for several files that are written all or nothing

The temporary file is created in the target's folder (``os.replace`` is atomic only within one file system) with
the mode any newly created file gets: 0o666 less the user's umask, i.e. 0644 under the usual umask 022, 0640 under
027 (``tempfile.mkstemp`` would leave 0600, readable by nobody else). The kernel applies the umask when the file
is created, so it is never read or changed here (``os.umask`` is process-wide and racy in a threaded server).
An error in ``write`` removes the temporary files and leaves every target as it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path


def _create_beside(target: Path) -> tuple[Path, int]:
    """A new empty file next to ``target`` (hidden, keeping the target's suffix for writers that look at it) and
    the permission bits it was created with."""
    while True:
        tmp = target.with_name(f".{target.stem}.{secrets.token_hex(6)}.tmp{target.suffix}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the kernel applies the umask
        except FileExistsError:
            continue
        try:
            mode = stat.S_IMODE(os.fstat(fd).st_mode)
        finally:
            os.close(fd)
        return tmp, mode


@contextlib.contextmanager
def atomic_paths(*targets: str | Path) -> Iterator[list[Path]]:
    """Temporary paths beside ``targets``, to be written inside the block. When it ends without an error each
    replaces its target (with the mode a new file gets); on an error none does and the temporaries are removed."""
    made: list[tuple[Path, int, Path]] = []
    try:
        for target in map(Path, targets):
            tmp, mode = _create_beside(target)
            made.append((tmp, mode, target))
        yield [tmp for tmp, _, _ in made]
        for tmp, mode, _ in made:
            os.chmod(tmp, mode)  # a writer that recreated the file (or narrowed its mode) gets the ordinary mode back
        for tmp, _, target in made:
            os.replace(tmp, target)
    finally:
        for tmp, _, _ in made:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> None:
    """``write(tmp)`` fills a temporary file beside ``path``, which then replaces ``path`` in one step."""
    with atomic_paths(path) as (tmp,):
        write(tmp)
