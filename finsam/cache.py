"""The results of a data set and settings, computed once and cached.

The statistics of a whole dataset (:func:`finsam.results.compute_all`) take a
few seconds; one build runs hundreds of reports in a few warm kernels and
writes the site pages from the same numbers. :func:`load_results` therefore
caches them per *content* of the data directory and the settings:

* in memory (module level, survives between notebooks in a warm kernel,
  because the build keeps ``sys.modules``), and
* on disk as JSON with a schema (:data:`FORMAT`: every table as its columns,
  dtypes from a fixed list and values; no code is ever loaded) under the cache
  directory (``$FINSAM_CACHE_DIR``, else ``.finsam-cache/`` in the project, else
  ``~/.cache/finsam``), keyed by a hash
  of the data files, the catalogue, the settings and the source code of the
  statistics modules, so a fresh kernel (plain ``papermill``) also skips the
  computation. Entries are written atomically; a broken entry is recomputed.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd

from . import hashing
from ._atomic import atomic_write_bytes
from ._paths import CATALOG_DIR, DEMO_DIR, PACKAGE_DIR
from .errors import InputError
from .io import Dataset, load_dataset
from .results import Results, compute_all
from .settings import Settings

#: Files of the statistics code whose source is part of the disk-cache key.
CODE_FILES = ("stats/*.py", "disclosure.py", "results.py", "catalog.py", "io.py", "reading.py", "validate.py",
              "_csv_text.py", "_sheet_xml.py", "_problem.py", "_typecheck.py", "settings.py", "settings.toml",
              "codes.py", "texts.py", "fmt.py", "errors.py", "hashing.py", "_paths.py", "escape.py", "_atomic.py")
#: Version of the disk format; another version is recomputed.
FORMAT = 1
#: The column dtypes an entry may hold (anything else is not cached on disk).
DTYPES = frozenset({"int64", "float64", "bool", "Int64", "Float64", "boolean", "str", "string", "object"})
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


def code_files() -> list[Path]:
    """The package files whose code shapes a cached result (:data:`CODE_FILES`); each pattern matches."""
    out = []
    for pattern in CODE_FILES:
        matched = sorted(PACKAGE_DIR.glob(pattern))
        if not matched:  # a renamed module must not silently drop out of the key
            raise RuntimeError(f"finsam.cache.CODE_FILES: {pattern} matchar ingen fil i {PACKAGE_DIR}")
        out += matched
    return out


def _code_fingerprint() -> str:
    return hashing.files_digest(code_files())


class _Unsupported(ValueError):
    """A value the JSON format does not hold (the entry is then not cached on disk)."""


def _value(v):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        if math.isinf(v):
            raise _Unsupported("inf")
        return float(v)
    if isinstance(v, str):
        return v
    raise _Unsupported(type(v).__name__)


def _frame_json(df: pd.DataFrame) -> dict:
    dtypes = [str(t) for t in df.dtypes]
    if not set(dtypes) <= DTYPES or not all(isinstance(c, str) for c in df.columns):
        raise _Unsupported(f"dtypes {dtypes}")
    return {"columns": list(df.columns), "dtypes": dtypes, "index": [_value(i) for i in df.index],
            "data": [[_value(v) for v in df[c].tolist()] for c in df.columns]}


def _frame(obj: dict) -> pd.DataFrame:
    columns, dtypes, data = obj["columns"], obj["dtypes"], obj["data"]
    if not (len(columns) == len(dtypes) == len(data)) or not set(dtypes) <= DTYPES:
        raise ValueError("schema")
    index = pd.Index(obj["index"])
    if any(len(values) != len(index) for values in data):
        raise ValueError("schema")
    out = {}
    for c, t, values in zip(columns, dtypes, data):
        if t in ("int64", "bool") and any(v is None for v in values):
            raise ValueError("schema")
        out[c] = pd.Series(values, dtype=t, index=index)
    return pd.DataFrame(out, index=index, columns=columns)


def _entry_json(dataset: Dataset, results: Results) -> str:
    tables = {name: _frame_json(getattr(dataset, name)) for name in ("forbund", "responses", "participation")}
    tables.update({f"results.{f.name}": _frame_json(getattr(results, f.name))
                   for f in fields(results) if f.name != "settings"})
    entry = {"format": FORMAT, "tables": tables, "meta": dataset.meta,
             "source": None if dataset.source is None else str(dataset.source)}
    try:
        return json.dumps(entry, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:  # metadata JSON cannot hold (dates)
        raise _Unsupported(str(exc)) from exc


def _entry(text: str, settings: Settings) -> tuple[Dataset, Results]:
    obj = json.loads(text)
    if not isinstance(obj, dict) or obj.get("format") != FORMAT or not isinstance(obj.get("meta"), dict):
        raise ValueError("format")
    tables = obj["tables"]
    dataset = Dataset(**{name: _frame(tables[name]) for name in ("forbund", "responses", "participation")},
                       meta=obj["meta"], source=None if obj["source"] is None else Path(obj["source"]))
    results = Results(**{f.name: _frame(tables[f"results.{f.name}"]) for f in fields(Results) if f.name != "settings"},
                      settings=settings)
    return dataset, results


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
    cache_file = directory / f"results-{key}.json" if directory else None
    if cache_file is not None and cache_file.is_file():
        try:
            hit = _entry(cache_file.read_text(encoding="utf-8"), settings)
        except Exception:  # noqa: BLE001 - a broken or incompatible entry: recompute
            hit = None
    if hit is None:
        dataset = load_dataset(path)
        hit = (dataset, compute_all(dataset, settings))
        if cache_file is not None:
            try:
                atomic_write_bytes(cache_file, _entry_json(*hit).encode("utf-8"))
            except (OSError, _Unsupported):
                pass  # the disk cache is optional
    if len(_MEMORY) >= MEMORY_ENTRIES:
        _MEMORY.pop(next(iter(_MEMORY)))
    _MEMORY[key] = hit
    return hit
