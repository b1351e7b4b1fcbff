"""Shared fixtures: the tiny valid data directory, broken variants and the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from finsam.catalog import Catalog, load_catalog

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID_DIR = FIXTURES / "valid"
BROKEN_DIR = FIXTURES / "broken"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The shipped survey catalogue (data/catalog)."""
    return load_catalog()


@pytest.fixture(scope="session")
def valid_dir() -> Path:
    """tests/fixtures/valid: 2 förbund (alfa, beta) × 2 years (2022, 2023); read-only, copy before editing."""
    return VALID_DIR


@pytest.fixture(scope="session")
def broken_dir():
    """``broken_dir(name)`` → tests/fixtures/broken/<name> (one broken rule each; ``multi`` has several)."""

    def get(name: str) -> Path:
        path = BROKEN_DIR / name
        assert path.is_dir(), f"no broken fixture {name!r}"
        return path

    return get


def write_workbook(data_dir: Path, target: Path) -> Path:
    """Write a data directory as an .xlsx workbook (numbers as numeric cells, metadata on sheet ``dataset``)."""
    import csv

    from openpyxl import Workbook

    from finsam.io import INT_COLUMNS, TABLES, read_meta

    wb = Workbook()
    wb.remove(wb.active)
    for name in TABLES:
        ws = wb.create_sheet(name)
        with open(data_dir / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        header = rows[0]
        ws.append(header)
        for row in rows[1:]:
            ws.append([_number(v) if c in INT_COLUMNS[name] else v for c, v in zip(header, row)])
    meta = read_meta(data_dir)
    if meta:
        ws = wb.create_sheet("dataset")
        ws.append(["key", "value"])
        for key, value in meta.items():
            ws.append([key, value])
    wb.save(target)
    return target


def _number(text: str):
    """An integer cell where the text is one, else the text (as a user would type it)."""
    try:
        return int(text)
    except ValueError:
        return text


#: Set by CI (``.ci/run``): the tests marked ``quarto`` must run, a missing Quarto is a failure.
REQUIRE_QUARTO_ENV = "FINSAM_REQUIRE_QUARTO"


def quarto_command() -> str:
    """The ``quarto`` executable; skip (or, with ``FINSAM_REQUIRE_QUARTO=1``, fail) where it is missing."""
    import os
    import shutil

    quarto = shutil.which("quarto")
    if quarto is None:
        reason = ("kommandot quarto finns inte på PATH: installera Quarto (README, avsnittet om webbplatsen) "
                  "för att rendera webbplatsen")
        if os.environ.get(REQUIRE_QUARTO_ENV) == "1":
            pytest.fail(reason + f" ({REQUIRE_QUARTO_ENV}=1: får inte hoppas över)")
        pytest.skip(reason)
    return quarto
