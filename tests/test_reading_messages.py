"""Reading problems with their own Swedish message and hint (issue 14): each bad file is built here.

Not UTF-8 is tested by the ``undecodable`` fixture (test_validate.py); these are
the others: UTF-16, a NUL byte or a byte order mark inside a file, mixed
separators, a title row above the header, merged cells and formulas without a
saved value in a workbook.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import VALID_DIR, write_workbook
from finsam.io import DataValidationError, load_dataset
from finsam.validate import validate_path


def _copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(VALID_DIR, data)
    return data


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _problems(path: Path) -> list[str]:
    return [str(p) for p in validate_path(path)]


def test_utf16_file_is_named_with_the_excel_choice(tmp_path):
    data = _copy(tmp_path)
    text = (data / "forbund.csv").read_text(encoding="utf-8")
    (data / "forbund.csv").write_bytes(text.encode("utf-16"))
    problems = _problems(data)
    assert 'forbund.csv: filen är sparad som UTF-16 ("Unicode-text"), inte UTF-8; spara den i Excel som ' \
           '"CSV UTF-8 (kommaavgränsad)"' in problems


def test_nul_byte_names_its_row(tmp_path):
    data = _copy(tmp_path)
    lines = _lines(data / "participation.csv")
    lines[4] = lines[4].replace(",", ",\x00", 1)  # rad 5
    (data / "participation.csv").write_text("\n".join(lines), encoding="utf-8")
    problems = _problems(data)
    nul = [p for p in problems if "NUL" in p]
    assert nul == ["participation.csv rad 5: raden innehåller ett NUL-tecken (byte 0x00): filen är skadad eller "
                   'inte en textfil; öppna den i Excel och spara den igen som "CSV UTF-8"']


def test_bom_in_the_middle_of_a_file_names_its_row_and_is_dropped(tmp_path):
    """Two exports pasted together: the second file's BOM sits at the start of a row."""
    data = _copy(tmp_path)
    lines = _lines(data / "responses.csv")
    lines[6] = "\ufeff" + lines[6]  # rad 7
    (data / "responses.csv").write_text("\n".join(lines), encoding="utf-8")
    problems = _problems(data)
    assert problems == ["responses.csv rad 7: ett BOM-tecken (U+FEFF) står mitt i filen: filer har troligen "
                        "klistrats ihop; ta bort tecknet och en upprepad rubrikrad"]
    # the mark is not part of the value (no second problem about the year "\ufeff2022")
    with pytest.raises(DataValidationError):
        load_dataset(data)


def test_mixed_separators_name_each_row_once(tmp_path):
    data = _copy(tmp_path)
    lines = _lines(data / "responses.csv")
    for i in (3, 9):  # rad 4 and rad 10 as a Swedish Excel would write them
        lines[i] = lines[i].replace(",", ";")
    (data / "responses.csv").write_text("\n".join(lines), encoding="utf-8")
    problems = _problems(data)
    hint = ("raden har ';' som avgränsare men rubrikraden ',' (blandade avgränsare); spara filen igen så att alla "
            "rader har samma avgränsare")
    assert problems == [f"responses.csv rad 4: {hint}", f"responses.csv rad 10: {hint}"]


def test_mixed_separators_in_a_semicolon_file(tmp_path):
    data = _copy(tmp_path)
    lines = _lines(data / "forbund.csv")
    lines = [lines[0].replace(",", ";"), lines[1].replace(",", ";"), *lines[2:]]  # rad 3 keeps its comma
    (data / "forbund.csv").write_text("\n".join(lines), encoding="utf-8")
    problems = _problems(data)
    assert problems[0] == (
        "forbund.csv rad 3: raden har ',' som avgränsare men rubrikraden ';' (blandade avgränsare); spara filen "
        "igen så att alla rader har samma avgränsare")
    assert sum("blandade avgränsare" in p for p in problems) == 1  # the row is not read: beta is then unknown


@pytest.mark.parametrize("title", ["Enkätsvar 2023", "Enkätsvar 2023,,,,,,", "Enkätsvar 2023\n"])
def test_title_row_above_the_header(tmp_path, title):
    data = _copy(tmp_path)
    path = data / "responses.csv"
    path.write_text(title + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    problems = _problems(data)
    header_row = 3 if title.endswith("\n") else 2
    above = "rad 1" if header_row == 2 else "raderna 1–2"
    assert problems == [f"responses.csv rad 1: {above} ovanför kolumnrubrikerna (som står på rad {header_row}) är "
                        "en titel; ta bort den så att kolumnrubrikerna står på rad 1"]


def _workbook(tmp_path: Path, edit) -> Path:
    from openpyxl import load_workbook

    book = write_workbook(VALID_DIR, tmp_path / "data.xlsx")
    wb = load_workbook(book)
    edit(wb)
    wb.save(book)
    return book


def test_title_row_in_a_workbook_sheet(tmp_path):
    book = _workbook(tmp_path, lambda wb: (wb["participation"].insert_rows(1),
                                           wb["participation"].cell(1, 1, "Deltagande 2022–2023")))
    assert _problems(book) == [
        "data.xlsx, blad participation, rad 1: rad 1 ovanför kolumnrubrikerna (som står på rad 2) är en titel; "
        "ta bort den så att kolumnrubrikerna står på rad 1"]


def test_merged_cells_in_a_workbook_name_sheet_row_and_column(tmp_path):
    def merge(wb):
        ws = wb["responses"]
        ws.merge_cells("B5:B7")  # forbund of rows 5–7: only B5 keeps its value

    problems = _problems(_workbook(tmp_path, merge))
    assert ("data.xlsx, blad responses, rad 5, kolumn forbund: cellerna B5:B7 är sammanfogade; dela upp dem "
            "(Excel: Start → Sammanfoga och centrera → Dela upp celler) och skriv värdet i varje cell") in problems
    # the cause comes before its consequences (the empty cells)
    assert problems.index(next(p for p in problems if "sammanfogade" in p)) < problems.index(
        next(p for p in problems if "rad 6" in p))


def test_formula_without_a_saved_value_names_its_cell(tmp_path):
    def formula(wb):
        wb["participation"]["D3"] = "=D2+1"  # asked, rad 3; openpyxl saves no cached value

    problems = _problems(_workbook(tmp_path, formula))
    assert ("data.xlsx, blad participation, rad 3, kolumn asked: cellen D3 har en formel (=D2+1) utan sparat "
            "värde; öppna arbetsboken i Excel och spara den (då sparas värdet), eller klistra in värdena som "
            "värden") in problems


def test_many_merged_cells_are_bounded(tmp_path):
    def merge(wb):
        ws = wb["responses"]
        for row in range(2, 60, 2):
            ws.merge_cells(f"G{row}:G{row + 1}")

    problems = _problems(_workbook(tmp_path, merge))
    merged = [p for p in problems if "sammanfogade" in p]
    assert len(merged) == 21 and "data.xlsx, blad responses: ytterligare 9 sammanfogade celler" in merged
    assert sum(", rad " in p for p in merged) == 20
