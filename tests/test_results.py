"""finsam.results: compute_all, the contract table and the ``finsam results`` CSV."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from click.testing import CliRunner

from finsam.cli import main
from finsam.io import Dataset, load_dataset
from finsam.results import ResultsError, compute_all, compute_results, results_command, results_csv_text
from finsam.stats import CONTRACT_COLUMNS, proportion_ci

RESP = ["year", "forbund", "group", "question", "gender", "answer", "count"]
PART = ["year", "forbund", "group", "asked", "unreachable", "answered",
        "answered_kvinna", "answered_man", "answered_ej_uppgett", "answered_utan_kon"]


def tiny() -> Dataset:
    """Two förbund, 2021–2022, personal group; c has 3 answers in 2022 (withheld)."""
    rows = []
    for year, f, n_pos, n_neg in [(2021, "a", 12, 8), (2021, "b", 6, 4), (2022, "a", 15, 5), (2022, "b", 3, 7),
                                  (2022, "c", 1, 2)]:
        for q in ("per_tid", "per_planering"):
            rows += [(year, f, "personal", q, "utan_kon", 6, n_pos), (year, f, "personal", q, "utan_kon", 1, n_neg)]
    responses = pd.DataFrame(rows, columns=RESP)
    part = pd.DataFrame(
        [(y, f, "personal", 30, 0, 20 if f == "a" else 10, 0, 0, 0, 20 if f == "a" else 10)
         for y, f in [(2021, "a"), (2021, "b"), (2022, "a"), (2022, "b")]]
        + [(2022, "c", "personal", 5, 0, 3, 0, 0, 0, 3)],
        columns=PART,
    )
    forbund = pd.DataFrame({"forbund": ["a", "b", "c"], "name": ["Förbund A", "Förbund B", "Förbund C"]})
    return Dataset(forbund=forbund, responses=responses, participation=part, meta={"synthetic": True})


def write_tiny(path):
    ds = tiny()
    path.mkdir()
    ds.forbund.to_csv(path / "forbund.csv", index=False)
    ds.responses.to_csv(path / "responses.csv", index=False)
    ds.participation.to_csv(path / "participation.csv", index=False)
    return path


def test_contract_columns_exact_and_first():
    df = compute_results(tiny(), year=2022)
    assert list(df.columns[: len(CONTRACT_COLUMNS)]) == CONTRACT_COLUMNS
    assert set(df["forbund"]) == {"a", "b", "c"}
    assert "signif_national" in df.columns and "signif_previous" in df.columns


def test_values_withheld_and_secondary():
    df = compute_results(tiny(), year=2022)
    a = df.loc[(df["forbund"] == "a") & (df["question"] == "per_tid") & (df["gender"] == "alla")].iloc[0]
    assert a["n"] == 20 and a["key_share"] == pytest.approx(0.75) and a["indicator"] == "3"
    assert a["previous"] == pytest.approx(0.6) and a["trend"] == "↑"
    lo, hi = proportion_ci(15, 20, "wilson", 0.95)
    assert a["ci_low"] == pytest.approx(lo[0])
    # c (3 answers) is withheld; national − a − c would reveal c, so b (the smallest) is withheld too
    # and a is compared with a national figure of 33 answers.
    c = df.loc[(df["forbund"] == "c") & (df["question"] == "per_tid") & (df["gender"] == "alla")].iloc[0]
    b = df.loc[(df["forbund"] == "b") & (df["question"] == "per_tid") & (df["gender"] == "alla")].iloc[0]
    assert c["withheld"] and c["reason"] == "min_n" and pd.isna(c["n"])
    assert b["withheld"] and b["reason"] == "secondary" and pd.isna(b["key_share"])
    assert a["national"] == pytest.approx(19 / 33)
    # The gender views of utan_kon-only data are withheld (no women, no men).
    assert (df.loc[df["gender"] != "alla", "reason"] != "").all()


def test_riket_rows_and_indicator_level():
    nat = compute_results(tiny(), year=2022, forbund="riket")
    assert set(nat["forbund"]) == {"riket"} and nat["national"].isna().all()
    ind = compute_results(tiny(), year=2022, forbund="a", level="indicator")
    assert list(ind.columns[: len(CONTRACT_COLUMNS)]) == CONTRACT_COLUMNS
    assert set(ind["group"]) == {"alla"} and ind["question"].isna().all()
    i3 = ind.loc[(ind["indicator"] == 3) & (ind["gender"] == "alla")].iloc[0]
    assert i3["key_share"] == pytest.approx(0.75) and i3["n"] == 20
    # per_planering (indicator 6) is reported beside the indicator, not pooled into it (catalogue `key`).
    assert sorted(ind["indicator"].unique()) == [3, 8, 9, 10, 12, 13, 16]  # personal's key indicators in 2022


def test_unknown_forbund_and_year_list_what_exists():
    with pytest.raises(ResultsError, match="Okänt förbund 'zz'. Förbund i data: a, b, c"):
        compute_results(tiny(), year=2022, forbund="zz")
    with pytest.raises(ResultsError, match="inga svar för år 2019.*År med svar: 2021, 2022"):
        compute_results(tiny(), year=2019)


def test_compute_all_slices():
    res = compute_all(tiny())
    assert set(res.question["year"]) == {2021, 2022}
    assert set(res.questions(2022)["forbund"]) == {"a", "b", "c"}
    assert set(res.indicators(2022, "riket")["group"]) == {"alla"}
    assert {"personal", "alla"} <= set(res.indicators(2022, "a", group=None)["group"])
    r = res.responses(2022, "riket").set_index("group")
    assert r.loc["totalt", "answered"] == 33 and r.loc["totalt", "asked"] == 65
    assert "deltagare_totalt" not in r.index  # no participant groups in these data


def test_csv_format_and_determinism(tmp_path):
    data = write_tiny(tmp_path / "data")
    out = tmp_path / "out" / "r.csv"
    assert results_command(data, year=2022, forbund=None, level="question", out=out, settings_file=None) == 0
    first = out.read_bytes()
    assert results_command(data, year=2022, forbund=None, level="question", out=out, settings_file=None) == 0
    assert out.read_bytes() == first
    text = first.decode("utf-8")
    assert text.startswith(",".join(CONTRACT_COLUMNS) + ",")
    rows = list(csv.DictReader(io.StringIO(text)))
    a = next(r for r in rows if r["forbund"] == "a" and r["question"] == "per_tid" and r["gender"] == "alla")
    assert a["n"] == "20" and a["key_share"] == "0.750000" and a["withheld"] == "false"
    assert a["trend"] == "↑" and a["signif_previous"] in ("true", "false")
    c = next(r for r in rows if r["forbund"] == "c" and r["question"] == "per_tid" and r["gender"] == "alla")
    assert c["withheld"] == "true" and c["reason"] == "min_n"
    assert all(c[k] == "" for k in ("n", "negative", "key_share", "ci_low", "national", "previous"))


def test_cli_results_riket_and_errors(tmp_path):
    data = write_tiny(tmp_path / "data")
    out = tmp_path / "riket.csv"
    runner = CliRunner()
    res = runner.invoke(main, ["results", str(data), "--year", "2022", "--forbund", "riket", "--out", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert set(df["forbund"]) == {"riket"}
    res = runner.invoke(main, ["results", str(data), "--year", "2022", "--forbund", "zz", "--out", str(out)])
    assert res.exit_code == 2 and "Okänt förbund 'zz'" in res.output
    res = runner.invoke(main, ["results", str(data), "--year", "2030", "--out", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "År med svar: 2021, 2022" in res.output
    assert not (tmp_path / "x.csv").exists()


def test_invalid_data_exit_2_with_problems(tmp_path, broken_dir, capsys):
    out = tmp_path / "r.csv"
    rc = results_command(broken_dir("negative_count"), year=2022, forbund=None, level="question", out=out,
                         settings_file=None)
    assert rc == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "responses.csv" in err and "count" in err


def test_valid_fixture_share_matches_direct_count(valid_dir):
    ds = load_dataset(valid_dir)
    df = compute_results(ds, year=2023, forbund="beta")
    r = ds.responses
    sel = r.loc[(r["year"] == 2023) & (r["forbund"] == "beta") & (r["question"] == "pag_nytta")]
    n = sel["count"].sum()
    key = sel.loc[sel["answer"].isin([5, 6]), "count"].sum()
    row = df.loc[(df["question"] == "pag_nytta") & (df["gender"] == "alla")].iloc[0]
    assert row["n"] == n and row["key_share"] == pytest.approx(key / n)


def test_csv_text_booleans_and_missing():
    df = pd.DataFrame({"a": pd.array([True, None], dtype="boolean"), "b": [False, True], "x": [0.5, float("nan")]})
    assert results_csv_text(df) == "a,b,x\ntrue,false,0.500000\n,true,\n"


def test_one_year_equals_the_slice_of_all_years():
    ds = tiny()
    full = compute_all(ds)
    for level, part in (("question", full.questions(2022)), ("indicator", full.indicators(2022))):
        one = compute_results(ds, year=2022, level=level)
        pd.testing.assert_frame_equal(one, part[one.columns].reset_index(drop=True))


# --- withheld rows, förbund without data, unwritable output (review fixes) -----
def _csv_rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


#: Identifiers and labels that stay on a withheld row; every other column must be empty.
KEPT = {"year", "forbund", "group", "question", "indicator", "gender", "withheld", "reason", "caveat",
        "scale", "number", "text", "group_order", "questions"}


def _assert_withheld_rows_blank(rows):
    withheld = [r for r in rows if r["withheld"] == "true"]
    assert withheld
    for r in withheld:
        filled = {k: v for k, v in r.items() if k not in KEPT and v != ""}
        assert not filled, (r["forbund"], r["group"], r["question"], r["indicator"], r["gender"], filled)
    return withheld


def test_withheld_rows_in_results_csv_have_every_number_blank(tmp_path):
    ds = load_dataset()
    year = max(ds.years)
    q = compute_all(ds, years=[year]).questions(year)
    forbund = q.loc[q["withheld"] & (q["gender"] == "alla"), "forbund"].iloc[0]  # a förbund with a withheld total
    runner = CliRunner()
    for level in ("question", "indicator"):
        out = tmp_path / f"{level}.csv"
        args = ["results", "--year", str(year), "--forbund", forbund, "--level", level, "--out", str(out)]
        res = runner.invoke(main, args)
        assert res.exit_code == 0, res.output
        rows = _csv_rows(out)
        header = rows[0].keys()
        assert {"answered", "national_n", "key_count", "count_negative"} & set(header)
        withheld = _assert_withheld_rows_blank(rows)
        if level == "question":
            assert {"answered", "national_n", "previous_n", "count_yes"} <= set(header)
            # The extras are filled on shown rows, so blanking them on withheld rows means something.
            shown = next(r for r in rows if r["withheld"] == "false" and r["gender"] == "alla")
            assert shown["answered"] != "" and shown["key_count"] != ""
            assert any(r["gender"] == "alla" for r in withheld)
        else:
            assert {"n_answers", "cells", "cells_withheld", "national_n"} <= set(header)


def test_forbund_without_data_that_year_exits_2_listing_forbund_with_data(tmp_path):
    ds = load_dataset()
    assert "falun" in set(ds.forbund["forbund"])
    r = ds.responses
    assert not ((r["year"] == 2024) & (r["forbund"] == "falun")).any()
    with_data = sorted(set(r.loc[r["year"] == 2024, "forbund"]))
    out = tmp_path / "falun.csv"
    res = CliRunner().invoke(main, ["results", "--year", "2024", "--forbund", "falun", "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "Förbundet 'falun' har inga svar år 2024" in res.output
    assert "Förbund med svar 2024: " + ", ".join(with_data) in res.output
    assert not out.exists()


def test_output_path_that_cannot_be_written_exits_2(tmp_path):
    data = write_tiny(tmp_path / "data")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    runner = CliRunner()
    for out, why in ((tmp_path, "det är en katalog"), (blocker / "r.csv", "Kunde inte skriva resultatfilen")):
        res = runner.invoke(main, ["results", str(data), "--year", "2022", "--out", str(out)])
        assert res.exit_code == 2, res.output
        assert isinstance(res.exception, SystemExit)  # a message, not a traceback
        assert f"Kunde inte skriva resultatfilen {out}" in res.output and why in res.output
    assert blocker.read_text() == "x" and sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "data"]


def test_every_interval_contains_its_difference_and_labels_match_the_printed_difference():
    """Issue 15 on the whole demo data, both levels: diff_rest ∈ its interval, one consistent pair."""
    import numpy as np

    from finsam import fmt
    from finsam.stats import comparison_label, displayed_points

    res = compute_all(load_dataset())
    for df in (res.question, res.indicator):
        has = df["diff_rest"].notna()
        d = df.loc[has]
        assert len(d) > 1000
        assert ((d["diff_national_low"] <= d["diff_rest"] + 1e-12) & (d["diff_rest"] <= d["diff_national_high"] + 1e-12)).all()
        sig = d["signif_national"].astype(bool)
        assert (sig == ((d["diff_national_low"] > 0) | (d["diff_national_high"] < 0))).all()
        # Same direction as the NNS difference (förbund − rikssnitt).
        assert (np.sign(d["diff_rest"]) == np.sign(d["diff_national"])).all()
        # The label is the one of the difference as printed.
        sample = d.iloc[:: max(1, len(d) // 500)]
        printed = [float(fmt.pp(x).split("\u00a0")[0].replace(",", ".").replace("\u2212", "-"))
                   for x in sample["diff_national"]]
        assert list(displayed_points(sample["diff_national"])) == printed
        assert list(sample["national_label"]) == list(comparison_label(sample["diff_national"], res.settings.margin_pp))
        assert df.loc[~has, "diff_national_low"].isna().all()
