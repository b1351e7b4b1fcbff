"""Excel-friendly input (issue 13, point 4): NNS gender codes and labels, share hints, grouped problems."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from finsam.cli import main
from finsam.io import load_dataset, write_template
from finsam.validate import grouped_problems, validate_path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _valid(tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "valid", data)
    return data


def _rewrite(path: Path, column: str, fn) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    i = head.index(column)
    out = [lines[0]]
    for n, line in enumerate(lines[1:]):
        cells = line.split(",")
        cells[i] = fn(n, cells[i])
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_nns_gender_codes_and_labels_in_any_case_load_as_ids(tmp_path):
    data = _valid(tmp_path)
    expected = load_dataset(data).responses
    spell = {"kvinna": ["1", "KVINNA", "Kvinna"], "man": ["2", "Man", "MAN"], "ej_uppgett": ["3"], "utan_kon": ["4"]}
    _rewrite(data / "responses.csv", "gender", lambda n, g: spell[g][n % len(spell[g])])
    assert validate_path(data) == []
    assert load_dataset(data).responses.equals(expected)


def test_a_share_gets_a_hint_that_a_count_is_expected(tmp_path):
    data = _valid(tmp_path)
    _rewrite(data / "responses.csv", "count", lambda n, c: "0.53" if n == 0 else ("53 %" if n == 1 else c))
    text = "\n".join(str(p) for p in validate_path(data))
    assert "'0.53' är inte ett heltal – det ser ut som en andel; ange antal svar (ett heltal)" in text
    assert "'53 %' är inte ett heltal – det ser ut som en andel" in text


def test_identical_problems_are_one_line_with_count_and_rows(tmp_path):
    data = _valid(tmp_path)
    _rewrite(data / "responses.csv", "gender", lambda n, g: "Kvinnor")
    problems = validate_path(data)
    lines = [l for l in grouped_problems(problems) if "Kvinnor" in l]
    rows = sum(1 for _ in open(data / "responses.csv", encoding="utf-8")) - 1
    assert len(lines) == 1
    assert f"okänd könskod 'Kvinnor'" in lines[0] and f"på {rows} rader: rad 2–{rows + 1}" in lines[0]
    result = CliRunner().invoke(main, ["validate", str(data)])
    assert result.exit_code == 2
    assert sum("Kvinnor" in l for l in result.output.splitlines()) == 1


def test_an_empty_workbook_is_an_error(tmp_path):
    book = tmp_path / "tom.xlsx"
    write_template(book)
    result = CliRunner().invoke(main, ["validate", str(book)])
    assert result.exit_code == 2, result.output
    assert "inga svar" in result.output and "Inga fel" not in result.output
