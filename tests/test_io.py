"""Reading the aggregate format (CSV variants, workbook) and writing the template."""

from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import write_workbook
from finsam.io import TABLES, DataValidationError, Problem, load_dataset, read_raw, write_template


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write_variant(src, dst, *, sep=",", bom=False, pad="", newline="\n"):
    """Copy a data directory, re-writing its CSV files with another separator/BOM/padding."""
    dst.mkdir()
    for name in TABLES:
        rows = [[f"{pad}{v}{pad}" for v in row] for row in _rows(src / f"{name}.csv")]
        with open(dst / f"{name}.csv", "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            csv.writer(fh, delimiter=sep, lineterminator=newline).writerows(rows)
    shutil.copy(src / "dataset.toml", dst / "dataset.toml")
    return dst


def _assert_same(a, b):
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.meta == b.meta


def test_valid_fixture_loads_with_types(valid_dir):
    ds = load_dataset(valid_dir)
    assert list(ds.responses.columns) == TABLES["responses"]
    assert list(ds.participation.columns) == TABLES["participation"]
    assert len(ds.forbund) == 2 and len(ds.responses) == 84 and len(ds.participation) == 12
    for name, ints in {"responses": ["year", "answer", "count"],
                       "participation": TABLES["participation"][:1] + TABLES["participation"][3:]}.items():
        df = getattr(ds, name)
        for c in df.columns:
            assert df[c].dtype == ("int64" if c in ints else "str"), (name, c)
    assert ds.years == [2022, 2023]
    assert ds.forbund_name("alfa") == "Samordningsförbundet Åby, Bro och Ceby"
    assert ds.meta["name"] == "Liten giltig testkatalog"
    assert ds.synthetic is False
    assert ds.responses["count"].sum() == 38 * (1 + 3 + 2 + 4)  # 38 answers per förbund-year, scaled ×1..×4
    first = ds.participation.iloc[0]
    assert (first["year"], first["forbund"], first["group"], first["asked"], first["answered"]) == (
        2022, "alfa", "deltagare_pagaende", 14, 10)


@pytest.mark.parametrize(
    "sep,bom,pad,newline",
    [(",", False, "", "\n"), (",", True, "", "\n"), (";", False, "", "\n"), (";", True, "", "\r\n"),
     (",", False, "  ", "\n"), (";", True, " ", "\r\n")],
    ids=["comma", "comma-bom", "semicolon", "semicolon-bom-crlf", "comma-padded", "semicolon-bom-padded"],
)
def test_csv_variants_load_identically(valid_dir, tmp_path, sep, bom, pad, newline):
    base = load_dataset(valid_dir)
    variant = _write_variant(valid_dir, tmp_path / "v", sep=sep, bom=bom, pad=pad, newline=newline)
    if bom:
        assert (variant / "responses.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    if sep == ";":
        assert (variant / "forbund.csv").read_text(encoding="utf-8-sig").splitlines()[0] == f"{pad}forbund{pad};{pad}name{pad}"
    _assert_same(load_dataset(variant), base)


def test_workbook_loads_identically(valid_dir, tmp_path):
    book = write_workbook(valid_dir, tmp_path / "data.xlsx")
    ds = load_dataset(book)
    _assert_same(ds, load_dataset(valid_dir))
    assert ds.source == book


def test_extra_columns_and_blank_lines_are_ignored(valid_dir, tmp_path):
    d = shutil.copytree(valid_dir, tmp_path / "d")
    rows = _rows(d / "forbund.csv")
    text = "\n".join(",".join(f'"{v}"' for v in r + [("kommentar" if i == 0 else "x")]) for i, r in enumerate(rows))
    (d / "forbund.csv").write_text(text.replace("\n", "\n\n", 1) + "\n\n", encoding="utf-8")
    _assert_same(load_dataset(d), load_dataset(valid_dir))


def test_row_numbers_count_blank_lines_and_multiline_fields(valid_dir, tmp_path):
    d = shutil.copytree(valid_dir, tmp_path / "d")
    # Line 2 blank, a name spanning lines 3-4, then a record with an empty name on line 5.
    (d / "forbund.csv").write_text(
        'forbund,name\n\nalfa,"Åby\nBro"\nbeta,\n', encoding="utf-8")
    problems = read_raw(d).problems
    assert problems == []
    raw = read_raw(d)
    assert list(raw.tables["forbund"].index) == [3, 5]
    with pytest.raises(DataValidationError) as err:
        load_dataset(d)
    assert [str(p) for p in err.value.problems] == ["forbund.csv rad 5, kolumn name: namn saknas"]


def test_row_with_too_many_fields_is_a_problem(valid_dir, tmp_path):
    d = shutil.copytree(valid_dir, tmp_path / "d")
    (d / "forbund.csv").write_text("forbund,name\nalfa,A\nbeta,B,extra\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        load_dataset(d)
    assert [str(p) for p in err.value.problems] == ["forbund.csv rad 3: raden har 3 fält men rubrikraden har 2"]


def test_undecodable_bytes_are_problems_not_tracebacks(broken_dir):
    with pytest.raises(DataValidationError) as err:
        load_dataset(broken_dir("undecodable"))
    assert [(p.file, p.row) for p in err.value.problems] == [("forbund.csv", 2), ("forbund.csv", 3)]
    assert "texten är inte UTF-8 (byte 0xf6)" in str(err.value)


def test_error_lists_every_problem(broken_dir):
    with pytest.raises(DataValidationError) as err:
        load_dataset(broken_dir("multi"))
    assert isinstance(err.value, ValueError)
    assert len(err.value.problems) == 6
    lines = str(err.value).splitlines()
    assert lines[0].startswith("6 fel hittades i ")
    assert lines[1:] == [str(p) for p in err.value.problems]


def test_validate_false_skips_consistency_but_not_types(broken_dir):
    ds = load_dataset(broken_dir("conditional"), validate=False)
    assert ds.responses["count"].dtype == "int64"
    with pytest.raises(DataValidationError) as err:
        load_dataset(broken_dir("non_integer"), validate=False)
    assert [str(p) for p in err.value.problems] == ["responses.csv rad 6, kolumn count: '2.5' är inte ett heltal"]


def test_missing_path_and_wrong_file(tmp_path):
    with pytest.raises(DataValidationError) as err:
        load_dataset(tmp_path / "finns_inte")
    assert err.value.problems[0].message == "katalogen eller filen finns inte"
    other = tmp_path / "data.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(DataValidationError, match="varken en datakatalog eller en .xlsx-arbetsbok"):
        load_dataset(other)


def test_workbook_missing_sheet_and_bad_meta(valid_dir, tmp_path):
    book = write_workbook(valid_dir, tmp_path / "data.xlsx")
    wb = load_workbook(book)
    del wb["participation"]
    wb["dataset"]["B3"] = "kanske"  # row 3 is synthetic
    assert wb["dataset"]["A3"].value == "synthetic"
    wb.save(book)
    with pytest.raises(DataValidationError) as err:
        load_dataset(book)
    assert [str(p) for p in err.value.problems] == [
        "data.xlsx, blad participation: bladet saknas",
        "data.xlsx, blad dataset, rad 3, kolumn value: synthetic måste vara true eller false, inte 'kanske'",
    ]


def test_not_a_workbook(tmp_path):
    bad = tmp_path / "trasig.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(DataValidationError) as err:
        load_dataset(bad)
    assert err.value.problems[0].file == "trasig.xlsx"
    assert err.value.problems[0].message.startswith("arbetsboken kan inte läsas")


def test_problem_str():
    assert str(Problem("responses.csv", 17, "answer", "svarskod 7 finns inte på skalan frekvens (1–6)")) == (
        "responses.csv rad 17, kolumn answer: svarskod 7 finns inte på skalan frekvens (1–6)")
    assert str(Problem("data.xlsx", 5, "count", "x", sheet="responses")) == "data.xlsx, blad responses, rad 5, kolumn count: x"
    assert str(Problem("participation.csv", None, None, "filen saknas")) == "participation.csv: filen saknas"
    assert str(Problem("responses.csv", 1, "gender", "kolumnen saknas")) == "responses.csv rad 1, kolumn gender: kolumnen saknas"


# -- template ---------------------------------------------------------------
def test_template_is_deterministic_and_reads_back_empty(tmp_path, catalog):
    a, b = tmp_path / "a" / "mall.xlsx", tmp_path / "b" / "mall.xlsx"
    write_template(a)
    write_template(b)
    assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in a.parent.iterdir()) == ["mall.xlsx"]  # no temporary file left
    ds = load_dataset(a, validate=False)  # an empty workbook is invalid ("inga svar"), but types
    for name, cols in TABLES.items():
        df = getattr(ds, name)
        assert list(df.columns) == cols and len(df) == 0
    assert ds.responses["count"].dtype == "int64" and ds.responses["question"].dtype == "str"
    assert ds.meta == {}


def test_template_sheets_and_codes(tmp_path, catalog):
    path = write_template(tmp_path / "mall.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["forbund", "responses", "participation", "dataset", "koder"]
    for name, cols in TABLES.items():
        assert [c.value for c in wb[name][1]] == cols
        assert wb[name].max_row == 1
    assert [[c.value for c in r] for r in wb["dataset"].iter_rows()] == [
        ["key", "value"], ["name", None], ["synthetic", None], ["source", None], ["description", None],
        ["publish_aggregates", None]]
    rows = [tuple(c.value for c in r) for r in wb["koder"].iter_rows()]
    assert ("deltagare_avslut", "Deltagare avslut") in [r[:2] for r in rows]
    cond = next(r for r in rows if r[0] == "avs_planering_tillracklig")
    assert cond == ("avs_planering_tillracklig", "deltagare_avslut", 9, catalog.questions.set_index("question").at[
        "avs_planering_tillracklig", "text"], "omfattning", "2017–", "avs_planering_paborjad=1")
    assert ("pag_person_team", "deltagare_pagaende", 4) == next(r for r in rows if r[0] == "pag_person_team")[:3]
    assert next(r for r in rows if r[0] == "pag_person_team")[5] == "2017–2021"
    assert ("frekvens", 6, "Alltid") in [r[:3] for r in rows]
    assert ("janej", 1, "Ja") in [r[:3] for r in rows]
    assert [r[0] for r in rows if r[0] in catalog.gender_ids] == ["kvinna", "man", "ej_uppgett", "utan_kon"]
    n_questions = sum(1 for r in rows if r[0] in set(catalog.questions["question"]) and r[1] in catalog.group_ids)
    assert n_questions == len(catalog.questions)


def test_workbook_row_numbers_count_blank_rows(valid_dir, tmp_path):
    book = write_workbook(valid_dir, tmp_path / "data.xlsx")
    wb = load_workbook(book)
    ws = wb["responses"]
    ws.insert_rows(3, amount=2)  # sheet rows 3-4 empty; the old row 3 is now row 5
    ws["G5"] = "  tre "
    ws["C7"] = "  deltagare_pagaende  "  # padding is stripped
    wb.save(book)
    raw = read_raw(book)
    assert list(raw.tables["responses"].index[:3]) == [2, 5, 6]
    with pytest.raises(DataValidationError) as err:
        load_dataset(book)
    assert [str(p) for p in err.value.problems] == [
        "data.xlsx, blad responses, rad 5, kolumn count: 'tre' är inte ett heltal"]


def test_publish_aggregates_is_a_checked_boolean(tmp_path, valid_dir):
    import shutil

    from finsam.io import DataValidationError

    data = tmp_path / "d"
    shutil.copytree(valid_dir, data)
    meta = (data / "dataset.toml").read_text(encoding="utf-8")
    (data / "dataset.toml").write_text(meta + "publish_aggregates = true\n", encoding="utf-8")
    assert load_dataset(data).meta["publish_aggregates"] is True
    (data / "dataset.toml").write_text(meta + 'publish_aggregates = "kanske"\n', encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        load_dataset(data)
    assert "dataset.toml: publish_aggregates måste vara true eller false, inte 'kanske'" in str(err.value)
