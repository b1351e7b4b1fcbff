"""The results of a data set and settings, computed once and cached.

The statistics of a whole dataset (:func:`finsam.results.compute_all`) take a
few seconds; one build runs hundreds of reports in a few warm kernels and
writes the site pages from the same numbers. :func:`load_results` therefore
caches them per *content* of the data directory and the settings:

* in memory (module level, survives between notebooks in a warm kernel,
  because the build keeps ``sys.modules``), and
* on disk as a pickle under the cache directory (``$FINSAM_CACHE_DIR``, else
  ``.finsam-cache/`` in the project, else ``~/.cache/finsam``), keyed by a hash
  of the data files, the catalogue, the settings and the source code of the
  statistics modules, so a fresh kernel (plain ``papermill``) also skips the
  computation. Entries are written atomically; a broken entry is recomputed.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from . import hashing
from ._atomic import atomic_write_bytes
from ._paths import CATALOG_DIR, DEMO_DIR, PACKAGE_DIR
from .errors import InputError
from .io import Dataset, load_dataset
from .results import Results, compute_all
from .settings import Settings

#: Files of the statistics code whose source is part of the disk-cache key.
CODE_FILES = ("stats.py", "disclosure.py", "results.py", "catalog.py", "io.py", "reading.py", "validate.py", "settings.py",
              "settings.toml", "codes.py")
#: Entries kept in memory.
MEMORY_ENTRIES = 4

_MEMORY: dict[str, tuple[Dataset, Results]] = {}


def resolve_data_dir(data_dir) -> Path:
    """The data directory of a report: ``""``/``None`` means the shipped demo data.

    Raises
    ------
    InputError
        The path does not exist.
    """
    if data_dir is None or str(data_dir).strip() == "":
        return DEMO_DIR
    path = Path(str(data_dir)).expanduser()
    if not path.exists():
        raise InputError(f"Datakatalogen finns inte: {path}")
    return path.resolve()


def cache_dir(root: str | Path | None = None) -> Path | None:
    """Where results are cached on disk (``None`` disables the disk cache).

    ``$FINSAM_CACHE_DIR`` (empty string: no disk cache), else ``.finsam-cache``
    in the project ``root`` (default: the current directory, which is the
    project when a report runs), else ``~/.cache/finsam``. Never inside the
    installed package.
    """
    from .project import is_project

    env = os.environ.get("FINSAM_CACHE_DIR")
    if env is not None:
        return Path(env) if env.strip() else None
    base = Path(root) if root is not None else Path.cwd()
    if is_project(base):
        return base / ".finsam-cache"
    return Path.home() / ".cache" / "finsam"


def data_fingerprint(path: Path) -> str:
    """Hash of a data directory's (or workbook's) content and of the catalogue."""
    return hashing.sha256(hashing.tree_digest(Path(path)), hashing.tree_digest(CATALOG_DIR))


def _code_fingerprint() -> str:
    return hashing.files_digest([PACKAGE_DIR / name for name in CODE_FILES if (PACKAGE_DIR / name).is_file()])


def clear_memory() -> None:
    """Forget the results held in memory (the disk cache stays)."""
    _MEMORY.clear()


def load_results(
    data_dir="", settings: Settings | dict | str | None = None, *, root: str | Path | None = None
) -> tuple[Dataset, Results]:
    """The dataset and all its statistics, cached (memory, then disk, then computed).

    Parameters
    ----------
    data_dir : str or Path
        Data directory or workbook; empty means the demo data.
    settings : Settings, dict, str or None
        Anything :meth:`finsam.settings.Settings.load` accepts (``None``: the defaults).
    root : path, optional
        The project whose disk cache to use (default: the current directory).

    Raises
    ------
    InputError, finsam.settings.SettingsError, finsam.io.DataValidationError
    """
    path = resolve_data_dir(data_dir)
    settings = Settings.load(settings)
    key = hashing.sha256(data_fingerprint(path), settings.fingerprint(), _code_fingerprint())[:32]
    hit = _MEMORY.get(key)
    if hit is not None:
        return hit
    directory = cache_dir(root)
    cache_file = directory / f"results-{key}.pkl" if directory else None
    if cache_file is not None and cache_file.is_file():
        try:
            with open(cache_file, "rb") as fh:
                hit = pickle.load(fh)
        except Exception:  # noqa: BLE001 - a broken or incompatible entry: recompute
            hit = None
    if hit is None:
        dataset = load_dataset(path)
        hit = (dataset, compute_all(dataset, settings))
        if cache_file is not None:
            try:
                atomic_write_bytes(cache_file, pickle.dumps(hit, protocol=pickle.HIGHEST_PROTOCOL))
            except OSError:
                pass  # the disk cache is optional
    if len(_MEMORY) >= MEMORY_ENTRIES:
        _MEMORY.pop(next(iter(_MEMORY)))
    _MEMORY[key] = hit
    return hit
