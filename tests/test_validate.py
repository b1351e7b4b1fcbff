"""Validation rules: the valid fixture passes, each broken fixture gives exactly its problems."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from conftest import BROKEN_DIR, write_workbook
from finsam.cli import main
from finsam.io import Problem, load_dataset, read_raw
from finsam.cli import validate_command
from finsam.validate import validate_dataset, validate_path

#: broken fixture → the exact problems, in order (one rule each; "multi" several).
EXPECTED = {
    "missing_file": ["participation.csv: filen saknas"],
    "missing_column": ["responses.csv rad 1, kolumn gender: kolumnen saknas"],
    "undecodable": [
        'forbund.csv rad 2: texten är inte UTF-8 (byte 0xf6); spara filen som "CSV UTF-8"',
        'forbund.csv rad 3: texten är inte UTF-8 (byte 0xf6); spara filen som "CSV UTF-8"',
    ],
    "bad_meta": ["dataset.toml: synthetic måste vara true eller false, inte 'kanske'"],
    "unknown_forbund": ["responses.csv rad 5, kolumn forbund: okänt förbund 'gamma' (finns inte i forbund.csv)"],
    "unknown_group": [
        "responses.csv rad 5, kolumn group: okänd grupp 'deltagare' (giltiga: deltagare_pagaende, "
        "deltagare_avslut, personal, forbundschef, styrelse, chefsgrupp, remittent)"
    ],
    "unknown_question": [
        "responses.csv rad 5, kolumn question: okänd fråga 'pag_nyta' (giltiga frågor: se bladet koder i finsam template)"
    ],
    "unknown_gender": [
        "responses.csv rad 4, kolumn gender: okänd könskod 'kvinnor' (giltiga: kvinna, man, ej_uppgett, utan_kon)"
    ],
    "unknown_answer": ["responses.csv rad 4, kolumn answer: svarskod 7 finns inte på skalan frekvens (1–6)"],
    "wrong_group": [
        "responses.csv rad 73, kolumn question: fråga pag_kontakter ställs till gruppen deltagare_pagaende, "
        "inte till deltagare_avslut"
    ],
    "outside_years": [
        "responses.csv rad 86, kolumn year: fråga pag_person_team ställdes inte år 2023 (giltig 2017–2021)"
    ],
    "negative_count": ["responses.csv rad 5, kolumn count: värdet -1 är negativt"],
    "non_integer": ["responses.csv rad 6, kolumn count: '2.5' är inte ett heltal"],
    "bad_year": [
        "responses.csv rad 2, kolumn year: år saknas",
        "responses.csv rad 47, kolumn year: '2O23' är inte ett årtal",
        "responses.csv rad 70, kolumn year: år 23 ligger utanför mätåren (2017–2100)",
    ],
    "duplicate_responses": [
        "responses.csv rad 86: samma year, forbund, group, question, gender och answer som rad 22"
    ],
    "duplicate_participation": ["participation.csv rad 14: samma year, forbund och group som rad 13"],
    "duplicate_forbund": ["forbund.csv rad 4: samma forbund som rad 2"],
    "conditional": [
        "responses.csv rad 15, kolumn count: villkorsfrågan avs_planering_tillracklig har 4 svar med kön kvinna "
        "år 2022 för förbund alfa, men bara 3 svarade Ja (1) på avs_planering_paborjad"
    ],
    "n_above_answered": [
        "responses.csv rad 2, kolumn count: fråga pag_nytta har 13 svar år 2022 för förbund alfa, "
        "men answered är 10 (participation.csv rad 2)",
        # n above answered always implies a gender bound broken too (Σ answered_<kön> ≤ answered).
        "responses.csv rad 2, kolumn count: fråga pag_nytta har 9 svar med kön kvinna år 2022 för förbund alfa, "
        "men answered_kvinna är 6 (participation.csv rad 2)",
    ],
    "no_participation": [
        "responses.csv rad 21: ingen rad i participation.csv för år 2022, förbund alfa, grupp personal"
    ],
    "answered_above_reachable": [
        "participation.csv rad 2, kolumn answered: answered (10) är större än asked − unreachable (14 − 5 = 9)"
    ],
    "unreachable_above_asked": [
        "participation.csv rad 2, kolumn unreachable: unreachable (20) är större än asked (14)"
    ],
    "gender_sum": [
        "participation.csv rad 2, kolumn answered: summan av answered_kvinna, answered_man, answered_ej_uppgett "
        "och answered_utan_kon (12) är större än answered (10)"
    ],
    "gender_n_above_answered": [
        "responses.csv rad 2, kolumn count: fråga pag_nytta har 6 svar med kön kvinna år 2022 för förbund alfa, "
        "men answered_kvinna är 5 (participation.csv rad 2)"
    ],
    "multi": [
        "forbund.csv rad 3, kolumn name: namn saknas",
        "responses.csv rad 4, kolumn answer: svarskod 7 finns inte på skalan frekvens (1–6)",
        "responses.csv rad 52, kolumn count: värdet -1 är negativt",
        "responses.csv rad 84, kolumn forbund: okänt förbund 'gamma' (finns inte i forbund.csv)",
        "participation.csv rad 12, kolumn unreachable: unreachable (99) är större än asked (32)",
        "participation.csv rad 14: samma year, forbund och group som rad 4",
    ],
}


def test_every_broken_fixture_has_an_expectation():
    assert sorted(p.name for p in BROKEN_DIR.iterdir() if p.is_dir()) == sorted(EXPECTED)


def test_valid_fixture_passes(valid_dir, catalog):
    assert validate_path(valid_dir, catalog=catalog) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture(name, broken_dir, catalog):
    assert [str(p) for p in validate_path(broken_dir(name), catalog=catalog)] == EXPECTED[name]


def test_problem_fields(broken_dir):
    (p,) = validate_path(broken_dir("unknown_answer"))
    assert (p.file, p.row, p.column, p.sheet) == ("responses.csv", 4, "answer", None)
    assert p.message == "svarskod 7 finns inte på skalan frekvens (1–6)"


def test_workbook_problems_name_the_sheet(broken_dir, tmp_path):
    book = write_workbook(broken_dir("multi"), tmp_path / "data.xlsx")
    got = [str(p) for p in validate_path(book)]
    assert got == [
        "data.xlsx, blad forbund, rad 3, kolumn name: namn saknas",
        "data.xlsx, blad responses, rad 4, kolumn answer: svarskod 7 finns inte på skalan frekvens (1–6)",
        "data.xlsx, blad responses, rad 52, kolumn count: värdet -1 är negativt",
        "data.xlsx, blad responses, rad 84, kolumn forbund: okänt förbund 'gamma' (finns inte i bladet forbund)",
        "data.xlsx, blad participation, rad 12, kolumn unreachable: unreachable (99) är större än asked (32)",
        "data.xlsx, blad participation, rad 14: samma year, forbund och group som rad 4",
    ]


def test_workbook_non_integer_cell(broken_dir, tmp_path):
    book = write_workbook(broken_dir("non_integer"), tmp_path / "data.xlsx")
    assert [str(p) for p in validate_path(book)] == [
        "data.xlsx, blad responses, rad 6, kolumn count: '2.5' är inte ett heltal"]


def test_in_memory_dataset(valid_dir, catalog):
    ds = load_dataset(valid_dir)
    assert validate_dataset(ds, catalog=catalog) == []
    ds.responses.loc[5, "count"] = -3  # data row 6 = "rad 7" once written as CSV
    assert [str(p) for p in validate_dataset(ds, catalog=catalog)] == [
        "responses.csv rad 7, kolumn count: värdet -3 är negativt"]


def test_conditional_needs_condition_answers(valid_dir, tmp_path, catalog):
    """Removing every "Ja" row of Q8 for one förbund-year makes both conditional questions fail, per gender."""
    d = shutil.copytree(valid_dir, tmp_path / "d")
    lines = (d / "responses.csv").read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if not ln.startswith("2023,beta,deltagare_avslut,avs_planering_paborjad,")]
    (d / "responses.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    messages = [p.message for p in validate_path(d, catalog=catalog)]
    assert len(messages) == 5  # tillracklig: kvinna, man, utan_kon; rimlig_tid: kvinna, man
    assert all("bara 0 svarade Ja (1) på avs_planering_paborjad" in m for m in messages)


def test_validation_writes_nothing(broken_dir):
    d = broken_dir("multi")
    before = {p: p.read_bytes() for p in sorted(d.rglob("*"))}
    validate_path(d)
    with pytest.raises(ValueError):
        load_dataset(d)
    assert {p: p.read_bytes() for p in sorted(d.rglob("*"))} == before


# -- command line -------------------------------------------------------------
def test_cli_validate_broken_exits_2_and_lists_problems(broken_dir):
    path = broken_dir("multi")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.output.splitlines() == EXPECTED["multi"] + [f"6 fel hittades i {path}"]


def test_cli_validate_valid_exits_0(valid_dir):
    result = CliRunner().invoke(main, ["validate", str(valid_dir)])
    assert result.exit_code == 0, result.output
    assert result.output == "Inga fel: 2 förbund, 2 år, 84 svarsrader.\n"


def test_validate_command_counts_with_thousands_separator(valid_dir, tmp_path, capsys):
    """30 copies of förbund alfa (42 response rows each) give 1 260 rows, printed with a space."""
    d = tmp_path / "d"
    d.mkdir()
    resp_header, *resp = (valid_dir / "responses.csv").read_text(encoding="utf-8").splitlines()
    part_header, *part = (valid_dir / "participation.csv").read_text(encoding="utf-8").splitlines()
    ids = [f"f{i:02d}" for i in range(30)]
    tables = {
        "forbund": ["forbund,name"] + [f"{f},Förbund {f}" for f in ids],
        "responses": [resp_header] + [r.replace(",alfa,", f",{f},") for f in ids for r in resp if ",alfa," in r],
        "participation": [part_header] + [r.replace(",alfa,", f",{f},") for f in ids for r in part if ",alfa," in r],
    }
    for name, lines in tables.items():
        (d / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert validate_command(d) == 0
    assert capsys.readouterr().out == "Inga fel: 30 förbund, 2 år, 1 260 svarsrader.\n"


def test_read_raw_keeps_strings(broken_dir):
    raw = read_raw(broken_dir("non_integer"))
    assert raw.tables["responses"].loc[6, "count"] == "2.5"
    assert raw.locations["responses"] == ("responses.csv", None)
    assert raw.problem("responses", 6, "count", "x") == Problem("responses.csv", 6, "count", "x")


def test_forbund_ids_are_slugs_and_riket_is_reserved(tmp_path, valid_dir):
    data = tmp_path / "data"
    shutil.copytree(valid_dir, data)
    with open(data / "forbund.csv", "a", encoding="utf-8") as fh:
        fh.write("riket,Hela landet\nSödra Dalarna,Södra Dalarna\n")
    messages = [str(p) for p in validate_path(data)]
    assert "forbund.csv rad 4, kolumn forbund: id 'riket' är reserverat för riksraderna" in messages
    assert (
        "forbund.csv rad 5, kolumn forbund: id 'Södra Dalarna' får bara innehålla a–z, 0–9 och bindestreck "
        "(det blir fil- och webbadresser)" in messages
    )
    assert len(messages) == 2
