"""The national reference (issue 13, point 2): national.csv and national_participation.csv.

A one-förbund data set plus a national reference gives national figures and
Newcombe intervals (förbund vs national minus förbund) equal to values
computed here from the raw counts with statsmodels; ``finsam national``
round-trips; validation names both rows when a förbund cell exceeds its
national cell.
"""

from __future__ import annotations

import csv
import io
import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from finsam.cli import main
from finsam.io import load_dataset
from finsam.national import POOLED_GENDER, national_reference
from finsam.results import compute_all, compute_results
from finsam.validate import validate_path

FORBUND = "blekinge"
YEAR = 2023


def _write_one(ds, out, forbund=FORBUND):
    out.mkdir(parents=True, exist_ok=True)
    for name in ("forbund", "responses", "participation"):
        table = getattr(ds, name)
        table.loc[table["forbund"] == forbund].to_csv(out / f"{name}.csv", index=False)
    return out


@pytest.fixture(scope="module")
def demo():
    return load_dataset()


@pytest.fixture(scope="module")
def reference_dir(tmp_path_factory):
    """``finsam national`` on the demo data."""
    out = tmp_path_factory.mktemp("ref")
    res = CliRunner().invoke(main, ["national", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def one_with_reference(demo, reference_dir, tmp_path_factory):
    """One förbund's demo data plus the reference written by ``finsam national``."""
    out = _write_one(demo, tmp_path_factory.mktemp("one"))
    for name in ("national.csv", "national_participation.csv"):
        shutil.copy(reference_dir / name, out / name)
    return out


def _key_codes(catalog, question: str) -> set[int]:
    """Answer codes counted in the key share: clearly positive (5, 6), or Ja (1) for yes/no."""
    scale = catalog.questions.loc[catalog.questions["question"] == question, "scale"].iloc[0]
    return {1} if scale == "janej" else {5, 6}


def test_the_command_writes_the_two_files_deterministically(demo, reference_dir, tmp_path):
    res = CliRunner().invoke(main, ["national", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    for name in ("national.csv", "national_participation.csv"):
        assert (tmp_path / name).read_bytes() == (reference_dir / name).read_bytes()
    nat = pd.read_csv(reference_dir / "national.csv")
    part = pd.read_csv(reference_dir / "national_participation.csv")
    assert list(nat.columns) == ["year", "group", "question", "gender", "answer", "count"]
    assert list(part.columns) == [c for c in demo.participation.columns if c != "forbund"]
    assert (nat["count"] > 0).all()
    assert set(nat["gender"]) <= {"kvinna", "man", POOLED_GENDER}


def test_the_command_withholds_what_the_national_report_withholds(demo, reference_dir):
    nat = pd.read_csv(reference_dir / "national.csv")
    q = compute_all(demo).question
    riket = q.loc[q["forbund"] == "riket"]
    key = ["year", "group", "question"]
    hidden = riket.loc[(riket["gender"] == "alla") & riket["withheld"].astype(bool), key]
    written = nat[key].drop_duplicates()
    assert written.merge(hidden, on=key).empty, "a question whose national figure is withheld was written"
    split_hidden = riket.loc[(riket["gender"] == "kvinna") & riket["withheld"].astype(bool)
                             & ~riket["reason"].isin(["min_n", "no_answers"]), key]
    assert len(split_hidden), "the demo data should have a withheld national gender split"
    with_split = nat.loc[nat["gender"].isin(["kvinna", "man"]), key].drop_duplicates()
    assert with_split.merge(split_hidden, on=key).empty, "a withheld national gender split was written"
    # Every published national total is written, with its n.
    shown = riket.loc[(riket["gender"] == "alla") & ~riket["withheld"].astype(bool)]
    n = nat.groupby(key)["count"].sum().rename("n_ref").reset_index()
    m = shown.merge(n, on=key, how="left")
    assert (m["n_ref"] == m["n"].astype(float)).all()


def test_too_few_forbund_give_no_reference(demo, tmp_path):
    data = _write_one(demo, tmp_path / "one")
    res = CliRunner().invoke(main, ["national", str(data), "--out", str(tmp_path / "ref")])
    assert res.exit_code == 2
    assert "min_forbund_national" in res.output
    assert not (tmp_path / "ref" / "national.csv").exists()


def test_one_forbund_with_reference_equals_independent_newcombe(one_with_reference, catalog):
    ds = load_dataset(one_with_reference)
    nat = pd.read_csv(one_with_reference / "national.csv")
    own = ds.responses.loc[ds.responses["year"] == YEAR]
    res = compute_results(ds, year=YEAR, forbund=FORBUND)
    alla = res.loc[(res["gender"] == "alla") & ~res["withheld"].astype(bool)]
    assert alla["national_reason"].isna().all()
    checked = 0
    for row in alla.itertuples():
        ref = nat.loc[(nat["year"] == YEAR) & (nat["question"] == row.question)]
        if ref.empty:
            continue
        codes = _key_codes(catalog, row.question)
        mine = own.loc[own["question"] == row.question]
        k1, n1 = int(mine.loc[mine["answer"].isin(codes), "count"].sum()), int(mine["count"].sum())
        kn, nn = int(ref.loc[ref["answer"].isin(codes), "count"].sum()), int(ref["count"].sum())
        k2, n2 = kn - k1, nn - n1
        assert row.n == n1
        assert row.national == pytest.approx(kn / nn, abs=1e-12)
        assert row.diff_national == pytest.approx(k1 / n1 - kn / nn, abs=1e-12)
        assert row.diff_rest == pytest.approx(k1 / n1 - k2 / n2, abs=1e-12)
        low, high = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff", alpha=0.05)
        assert row.diff_national_low == pytest.approx(low, abs=1e-9)
        assert row.diff_national_high == pytest.approx(high, abs=1e-9)
        assert bool(row.signif_national) == (low > 0 or high < 0)
        checked += 1
    assert checked >= 10
    # The national rows themselves: the reference's counts (Wilson interval).
    riket = compute_results(ds, year=YEAR, forbund="riket")
    r = riket.loc[(riket["gender"] == "alla") & ~riket["withheld"].astype(bool)].iloc[0]
    ref = nat.loc[(nat["year"] == YEAR) & (nat["question"] == r.question)]
    kn = int(ref.loc[ref["answer"].isin(_key_codes(catalog, r.question)), "count"].sum())
    nn = int(ref["count"].sum())
    low, high = proportion_confint(kn, nn, alpha=0.05, method="wilson")
    assert (r.n, r.key_share, r.ci_low, r.ci_high) == (nn, pytest.approx(kn / nn), pytest.approx(low),
                                                       pytest.approx(high))


def test_reference_years_are_real_comparisons_in_the_results_csv(one_with_reference, tmp_path):
    out = tmp_path / "r.csv"
    res = CliRunner().invoke(main, ["results", str(one_with_reference), "--year", str(YEAR), "--forbund", FORBUND,
                                    "--level", "indicator", "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    alla = [r for r in rows if r["gender"] == "alla" and r["withheld"] == "false"]
    assert alla and all(r["national_reason"] == "" for r in rows)
    assert any(r["national"] != "" and r["national_label"] != "" for r in alla)
    # Not the förbund's own figure any more.
    assert any(r["diff_national"] not in ("", "0.000000") for r in alla)


def test_round_trip_gives_the_full_demo_national_figures(demo, one_with_reference):
    one = load_dataset(one_with_reference)
    full = compute_all(demo, years=[YEAR])
    part = compute_all(one, years=[YEAR])
    key = ["group", "question", "gender"]
    a = full.questions(YEAR, "riket")
    b = part.questions(YEAR, "riket")
    m = a.merge(b, on=key, suffixes=("_full", "_one"), how="left")
    shown = ~m["withheld_full"].astype(bool)
    assert shown.sum() > 50
    for c in ("n", "key_share", "ci_low", "ci_high", "positive", "negative", "yes", "answered"):
        x, y = m.loc[shown, f"{c}_full"].astype(float), m.loc[shown, f"{c}_one"].astype(float)
        assert np.allclose(x, y, equal_nan=True), c
    # The förbund's national comparison where the full demo publishes it.
    fa, fb = full.questions(YEAR, FORBUND), part.questions(YEAR, FORBUND)
    m = fa.merge(fb, on=key, suffixes=("_full", "_one"))
    both = m["diff_national_low_full"].notna()
    assert both.sum() > 10
    for c in ("national", "diff_national", "diff_rest", "diff_national_low", "diff_national_high"):
        assert np.allclose(m.loc[both, f"{c}_full"].astype(float), m.loc[both, f"{c}_one"].astype(float)), c
    # Indicator level and response figures.
    ia, ib = full.indicators(YEAR, FORBUND), part.indicators(YEAR, FORBUND)
    m = ia.merge(ib, on=["indicator", "gender"], suffixes=("_full", "_one"))
    # Like for like: the same pooled cells (the full demo may withhold some of the förbund's cells by
    # secondary suppression, which changes the pool and so the matching national figure).
    same = (m["questions_full"] == m["questions_one"]) & (m["n_answers_full"] == m["n_answers_one"]).fillna(False)
    both = m["national_full"].notna() & ~m["withheld_full"].astype(bool) & same
    assert both.sum() > 5
    assert np.allclose(m.loc[both, "national_full"].astype(float), m.loc[both, "national_one"].astype(float))
    ra, rb = full.responses(YEAR, "riket"), part.responses(YEAR, "riket")
    pd.testing.assert_frame_equal(ra, rb)


def test_a_forbund_cell_above_its_national_cell_names_both_rows(one_with_reference, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(one_with_reference, data)
    resp = pd.read_csv(data / "responses.csv")
    nat = pd.read_csv(data / "national.csv")
    # The first förbund row of a (year, question, answer) the reference gives per gender.
    split = nat.loc[nat["gender"] == "kvinna"]
    target = resp.merge(split[["year", "group", "question", "gender", "answer"]].reset_index(names="nrow"),
                        on=["year", "group", "question", "gender", "answer"]).iloc[0]
    nrow = int(target["nrow"])
    nat.loc[nrow, "count"] = 0
    nat.to_csv(data / "national.csv", index=False)
    rrow = int(resp.index[(resp[["year", "group", "question", "gender", "answer"]]
                           == target[["year", "group", "question", "gender", "answer"]].to_numpy()).all(axis=1)][0])
    problems = validate_path(data)
    hits = [p for p in problems if p.file == "responses.csv" and p.row == rrow + 2]
    assert len(hits) == 1, problems
    assert hits[0].column == "count"
    assert f"national.csv rad {nrow + 2}" in hits[0].message
    res = CliRunner().invoke(main, ["validate", str(data)])
    assert res.exit_code == 2
    assert f"responses.csv rad {rrow + 2}" in res.output and f"national.csv rad {nrow + 2}" in res.output


def test_participation_above_the_national_names_both_rows(one_with_reference, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(one_with_reference, data)
    part = pd.read_csv(data / "participation.csv")
    npart = pd.read_csv(data / "national_participation.csv")
    prow = int(part.index[part["year"] == YEAR][0])
    nrow = int(npart.index[(npart["year"] == YEAR) & (npart["group"] == part.at[prow, "group"])][0])
    npart.loc[nrow, "asked"] = int(part.at[prow, "asked"]) - 1
    npart.loc[nrow, "unreachable"] = 0
    npart.to_csv(data / "national_participation.csv", index=False)
    problems = validate_path(data)
    hits = [p for p in problems if p.file == "participation.csv" and p.row == prow + 2 and p.column == "asked"]
    assert len(hits) == 1, problems
    assert f"national_participation.csv rad {nrow + 2}" in hits[0].message


def test_the_reference_follows_the_same_rules_all_problems_at_once(one_with_reference, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(one_with_reference, data)
    nat = pd.read_csv(data / "national.csv", dtype=str)
    nat.loc[0, "count"] = "-3"
    nat.loc[1, "question"] = "ingen_sadan"
    nat.loc[2, "gender"] = "Kvinna"  # a label is accepted, as in responses.csv
    nat.loc[3, "count"] = "0.53"
    nat.to_csv(data / "national.csv", index=False)
    npart = pd.read_csv(data / "national_participation.csv", dtype=str)
    npart.loc[0, "answered"] = "x"
    npart.to_csv(data / "national_participation.csv", index=False)
    problems = validate_path(data)
    where = {(p.file, p.row, p.column) for p in problems}
    assert ("national.csv", 2, "count") in where
    assert ("national.csv", 3, "question") in where
    assert ("national.csv", 5, "count") in where
    assert ("national_participation.csv", 2, "answered") in where
    assert not any(p.file == "national.csv" and p.row == 4 and p.column == "gender" for p in problems)
    assert any("andel" in p.message for p in problems if p.row == 5 and p.file == "national.csv")


def test_workbook_sheets_give_the_same_reference(one_with_reference, tmp_path):
    from conftest import write_workbook
    from openpyxl import load_workbook

    book = write_workbook(one_with_reference, tmp_path / "svar.xlsx")
    wb = load_workbook(book)
    for name in ("national", "national_participation"):
        ws = wb.create_sheet(name)
        with open(one_with_reference / f"{name}.csv", encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.reader(fh)):
                ws.append(row if i == 0 else [int(v) if v.isdigit() else v for v in row])
    wb.save(book)
    a, b = load_dataset(one_with_reference), load_dataset(book)
    pd.testing.assert_frame_equal(a.national, b.national)
    pd.testing.assert_frame_equal(a.national_participation, b.national_participation)


def test_without_reference_files_nothing_changes(demo):
    assert demo.national is None and demo.national_participation is None
    nat, part = national_reference(demo)
    assert len(nat) and len(part)


def test_a_workbook_reads_the_reference_files_next_to_it(one_with_reference, tmp_path):
    from conftest import write_workbook

    folder = tmp_path / "data"
    folder.mkdir()
    book = write_workbook(one_with_reference, folder / "svar.xlsx")
    for name in ("national.csv", "national_participation.csv"):
        shutil.copy(one_with_reference / name, folder / name)
    ds = load_dataset(book)
    pd.testing.assert_frame_equal(ds.national, load_dataset(one_with_reference).national)
    res = CliRunner().invoke(main, ["validate", str(book)])
    assert res.exit_code == 0, res.output
    assert "riksreferens för 2017" in res.output


def test_the_two_reference_tables_come_together(one_with_reference, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(one_with_reference, data)
    (data / "national_participation.csv").unlink()
    problems = validate_path(data)
    assert [p.file for p in problems] == ["national_participation.csv"]
    assert "national.csv" in problems[0].message
