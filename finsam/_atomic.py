"""Atomic file output: write to a temporary file beside the target, then rename.

A crash or an exception never leaves a half-written target: either the old
file is untouched or the new one is complete.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import Iterator

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(target: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``target`` atomically.

    Parameters
    ----------
    target : path
        The final file. Its directory is created if needed.
    suffix : str, optional
        Suffix of the temporary file (default: the target's own, so tools that
        look at the extension, like openpyxl or papermill, are satisfied).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=suffix if suffix is not None else target.suffix, dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual mode
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def atomic_write_bytes(target: str | Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``target`` atomically (``\\n`` line endings)."""
    atomic_write_bytes(target, text.encode("utf-8"))


def os_error_text(exc: OSError) -> str:
    """A Swedish explanation of a file-system error (for CLI messages)."""
    if isinstance(exc, IsADirectoryError):
        return "det är en katalog, inte en fil"
    if isinstance(exc, PermissionError):
        return "behörighet saknas"
    if isinstance(exc, FileNotFoundError):
        return "katalogen finns inte"
    if isinstance(exc, NotADirectoryError):
        return "en del av sökvägen är en fil, inte en katalog"
    if exc.errno == errno.ENOSPC:
        return "disken är full; frigör utrymme och kör igen"
    if exc.errno == errno.EDQUOT:
        return "diskkvoten är slut; frigör utrymme och kör igen"
    if exc.errno == errno.EFBIG:
        return "filen blev större än vad som får skrivas (filstorleksgräns)"
    if exc.errno == errno.EROFS:
        return "filsystemet är skrivskyddat"
    return f"operativsystemet svarade: {exc.strerror or exc}"
