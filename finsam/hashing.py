"""Content hashing: the one helper behind the results cache and the build's input hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path

_FILE_DIGESTS: dict[tuple, str] = {}


def sha256(*parts: bytes | str) -> str:
    """Hex sha256 of ``parts``, each followed by a NUL byte (so ``("ab", "c") != ("a", "bc")``)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()


def file_digest(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (remembered per path, modification time and size)."""
    path = Path(path)
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    digest = _FILE_DIGESTS.get(key)
    if digest is None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        _FILE_DIGESTS[key] = digest
    return digest


def files_digest(files, *, names: bool = True) -> str:
    """Digest of several files' contents in the given order (and, with ``names``, their file names)."""
    parts = []
    for f in files:
        f = Path(f)
        if names:
            parts.append(f.name)
        parts.append(file_digest(f))
    return sha256(*parts)


def tree_digest(path: str | Path, suffixes=(".csv", ".toml", ".xlsx")) -> str:
    """Digest of a workbook, or of a directory's files with ``suffixes`` (sorted by name)."""
    path = Path(path)
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file() and p.suffix in suffixes)
    if path.is_file():  # a workbook reads the national reference files next to it (finsam.reading)
        files += [path.parent / n for n in ("national.csv", "national_participation.csv") if (path.parent / n).is_file()]
    return files_digest(files)


def package_fingerprint() -> str:
    """finsam's version with the hash of its sources, settings and the catalogue files."""
    from . import __version__
    from ._paths import CATALOG_DIR, PACKAGE_DIR

    files = sorted(
        [p for p in PACKAGE_DIR.rglob("*") if p.suffix in (".py", ".toml") and "__pycache__" not in p.parts]
        + list(Path(CATALOG_DIR).glob("*.csv"))
    )
    return sha256(__version__, files_digest(files))
