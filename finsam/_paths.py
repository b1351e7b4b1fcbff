"""Where the shipped data lives (repository checkout or installed wheel)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DATA = PACKAGE_DIR.parent / "data"
_WHEEL_DATA = PACKAGE_DIR / "_data"

#: Root of the shipped data: ``data/`` in a checkout, ``finsam/_data`` in a wheel.
DATA_ROOT = _REPO_DATA if (_REPO_DATA / "catalog").is_dir() else _WHEEL_DATA
CATALOG_DIR = DATA_ROOT / "catalog"
DEMO_DIR = DATA_ROOT / "demo"
PUBLISHED_DIR = DATA_ROOT / "published"
REPO_ROOT = PACKAGE_DIR.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks" if (REPO_ROOT / "notebooks").is_dir() else PACKAGE_DIR / "_notebooks"
