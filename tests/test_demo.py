"""The synthetic demo data: deterministic, valid, calibrated to the published figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from finsam._paths import DEMO_DIR
from finsam.catalog import load_catalog
from finsam.cli import main
from finsam.demo import DATASET_NAME, generate, slugify
from finsam.io import load_dataset
from finsam.published import load_published
from finsam.settings import DEFAULT_SETTINGS
from finsam.stats import question_stats
from finsam.validate import validate_path

FILES = ("forbund.csv", "participation.csv", "responses.csv", "dataset.toml", "README.md")
PARTICIPANTS = ("deltagare_pagaende", "deltagare_avslut")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A fresh generation into a temporary directory."""
    directory = tmp_path_factory.mktemp("demo")
    generate(directory)
    return directory


@pytest.fixture(scope="module")
def demo():
    return load_dataset(DEMO_DIR)


@pytest.fixture(scope="module")
def national_2017(demo):
    r = demo.responses.loc[demo.responses["year"] == 2017]
    st = question_stats(r, load_catalog(), DEFAULT_SETTINGS)
    return st.loc[st["forbund"] == "riket"]


# -- determinism ---------------------------------------------------------------

def test_committed_files_equal_a_fresh_run(fresh):
    for name in FILES:
        assert (fresh / name).read_bytes() == (DEMO_DIR / name).read_bytes(), (
            f"data/demo/{name} is stale: run `finsam demo data/demo`")


def test_two_runs_identical_bytes_and_plain_text(fresh, tmp_path):
    generate(tmp_path)
    for name in FILES:
        data = (tmp_path / name).read_bytes()
        assert data == (fresh / name).read_bytes()
        assert b"\r" not in data
    # no floats anywhere in the CSV files
    for name in ("participation.csv", "responses.csv"):
        assert "." not in (tmp_path / name).read_text(encoding="utf-8")


def test_cli_writes_directory(tmp_path):
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "ut")])
    assert result.exit_code == 0, result.output
    assert "Syntetiska demodata skrivna" in result.output
    assert (tmp_path / "ut" / "responses.csv").read_bytes() == (DEMO_DIR / "responses.csv").read_bytes()


def test_validate_passes():
    assert validate_path(DEMO_DIR) == []
    result = CliRunner().invoke(main, ["validate", str(DEMO_DIR)])
    assert result.exit_code == 0, result.output


def test_dataset_is_flagged_synthetic(demo):
    assert demo.synthetic is True
    assert demo.meta["name"] == DATASET_NAME == "Syntetiska demodata"
    readme = (DEMO_DIR / "README.md").read_text(encoding="utf-8")
    assert "påhittade" in readme and "made up" in readme and "finsam demo data/demo" in readme
    assert "102" in readme and "52 %" in readme  # the two documented source conflicts


# -- 2017: 003 tables 1–10 -------------------------------------------------------

def test_2017_asked_per_forbund_is_table_1(demo):
    p = demo.participation.loc[demo.participation["year"] == 2017]
    got = p[["forbund", "group", "asked"]].sort_values(["forbund", "group"]).reset_index(drop=True)
    want = load_published("nns2017_asked")[["forbund", "group", "asked"]].astype({"asked": int, "forbund": str,
                                                                                 "group": str})
    want = want.sort_values(["forbund", "group"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got.astype({"forbund": str, "group": str}), want)


def test_2017_answers_per_group_is_table_2(demo):
    p = demo.participation.loc[demo.participation["year"] == 2017]
    sums = p.groupby("group")[["asked", "answered"]].sum()
    table2 = load_published("nns2017_response").set_index("group")
    for group in sums.index:
        assert sums.loc[group, "answered"] == table2.loc[group, "answered"]
        assert sums.loc[group, "asked"] - sums.loc[group, "answered"] == table2.loc[group, "bortfall"]
    assert sums["answered"].sum() == table2.loc["totalt", "answered"] == 996
    participants = sums.loc[list(PARTICIPANTS)].sum()
    assert participants["answered"] == table2.loc["deltagare_totalt", "answered"] == 629
    assert (p["answered"] <= p["asked"] - p["unreachable"]).all()


def test_2017_gender_and_unreachable_are_tables_3_4(demo):
    p = demo.participation.loc[demo.participation["year"] == 2017]
    sums = p.groupby("group").sum(numeric_only=True)
    for row in load_published("nns2017_participants").itertuples():
        s = sums.loc[row.group]
        assert (s["answered_kvinna"], s["answered_man"], s["answered_ej_uppgett"], s["answered_utan_kon"]) == (
            row.kvinna, row.man, row.ej_uppgett, row.utan_kon)
        assert s["unreachable"] == row.unreachable
        assert round(100 * s["unreachable"] / s["asked"]) == row.unreachable_pct
    staff = p.loc[~p["group"].isin(PARTICIPANTS)]
    assert (staff["unreachable"] == 0).all()
    assert (staff["answered_utan_kon"] == staff["answered"]).all()


def test_2017_questions_are_tables_5_to_10(national_2017):
    """n and the key share per question and gender, to the printed whole percent.

    Two documented source conflicts (data/demo/README.md):
    * table 10 prints n = 102/101 for chefsgrupp, table 2 says 100 answers: n is 100
      and the printed share holds on 100;
    * table 9 prints 52 % of n = 74 for styrelse Q1–Q2, which no count rounds to
      (38/74 = 51.4 %, 39/74 = 52.7 %): the share is 39/74, which truncates to 52.
    """
    pub = load_published("nns2017_questions")
    got = national_2017.set_index(["question", "gender"])
    assert len(pub) == 34 + 2 * 7  # 34 measurement points, table 5 by gender
    for row in pub.itertuples():
        cell = got.loc[(row.question, row.gender)]
        pct = 100 * cell["key_share"]
        if row.group == "chefsgrupp":
            assert row.n > 100 and cell["n"] == 100
        else:
            assert cell["n"] == row.n, row.question
        if row.question in ("sty_strukturer", "sty_strategi"):
            assert cell["key_count"] == 39 and math.floor(pct) == row.key_pct == 52
        else:
            assert abs(pct - row.key_pct) < 0.5, (row.question, row.gender, pct)
        assert cell["scale"] == "janej" if row.key_type == "yes" else cell["scale"] != "janej"


def test_2017_conditional_questions(demo):
    r = demo.responses.loc[(demo.responses["year"] == 2017)]
    yes = r.loc[(r["question"] == "avs_planering_paborjad") & (r["answer"] == 1)].groupby(
        ["forbund", "gender"])["count"].sum()
    for q in ("avs_planering_tillracklig", "avs_planering_rimlig_tid"):
        n = r.loc[r["question"] == q].groupby(["forbund", "gender"])["count"].sum()
        assert (n <= yes.reindex(n.index, fill_value=0)).all()
    assert yes.sum() == 78  # 80 % of 97


# -- förbund and volumes -----------------------------------------------------------

def test_forbund_2017_and_2024_are_the_published_lists(demo):
    p = demo.participation
    assert set(p.loc[p["year"] == 2017, "forbund"]) == set(load_published("nns2017_forbund")["forbund"])
    assert set(p.loc[p["year"] == 2024, "forbund"]) == set(load_published("forbund_2024")["forbund"])
    assert set(demo.forbund["forbund"]) == set(p["forbund"])
    assert demo.forbund["name"].str.startswith("Samordningsförbundet ").all()
    pub = load_published("forbund_2024")
    assert [slugify(n) for n in pub["name"]] == list(pub["forbund"])
    pub = load_published("nns2017_forbund")
    mismatched = {(s, n) for s, n in zip(pub["forbund"], pub["name"]) if slugify(n) != s}
    assert mismatched == {("trollhattan-lilla-edet-grastorp", "Trollhättan/Lilla Edet/Grästorps")}
    assert slugify("Välfärd i Nacka") == "valfard-i-nacka"


def test_volume_targets_hold(demo):
    p = demo.participation
    count = p.groupby("year")["forbund"].nunique()
    total = p.groupby("year")["answered"].sum()
    per_forbund = p.groupby(["year", "forbund"])["answered"].sum()
    vol = load_published("volumes")
    assert len(vol) == 11
    for row in vol.itertuples():
        year = int(row.year)
        if row.scope == "national":
            if not pd.isna(row.forbund_count):
                assert count[year] == row.forbund_count
            got = total[year]
        else:
            got = per_forbund[(year, row.forbund)]
        if not pd.isna(row.questionnaires):
            assert abs(got - row.questionnaires) <= 0.05 * row.questionnaires, (year, row.forbund, got)
    assert 36 <= count[2021] <= 39 and 36 <= count[2022] <= 39
    assert list(count.index) == list(range(2017, 2025))


def test_forbund_count_grows_to_2021_then_falls_to_001(demo):
    """The issue's shape: 13 in 2017, growing to 36–39 in 2021–2022, then the 29 of 001 in 2024."""
    count = demo.participation.groupby("year")["forbund"].nunique()
    assert count[2017] == 13 and count[2024] == 29
    rising = [int(count[y]) for y in range(2017, 2022)]
    assert rising == sorted(rising), rising  # non-decreasing 2017 → 2021
    assert all(36 <= count[y] <= 39 for y in (2021, 2022))
    assert count[2021] == max(count)
    # the README documents exactly this timeline
    readme = (DEMO_DIR / "README.md").read_text(encoding="utf-8")
    assert "| " + " | ".join(str(int(count[y])) for y in range(2017, 2025)) + " |" in readme


# -- realistic structure ------------------------------------------------------------

def test_groups_and_question_validity(demo):
    cat = load_catalog()
    p, r = demo.participation, demo.responses
    assert set(p.loc[p["group"] == "forbundschef", "year"]) == {2017}
    remittent = p.loc[p["group"] == "remittent"]
    assert set(remittent["year"]) <= {2022, 2023, 2024} and len(remittent) >= 5
    assert "remittent" not in set(r["group"])
    for (year, group), rows in r.groupby(["year", "group"]):
        assert set(rows["question"]) == set(cat.questions_in(year, group)["question"]), (year, group)
    assert r.loc[r["question"].str.startswith("per_jamstalldhet"), "year"].min() == 2021
    assert r.loc[r["question"] == "pag_kontakter", "year"].min() == 2022
    assert r.loc[r["question"] == "pag_person_team", "year"].max() == 2021
    small = p.loc[p["group"].isin(["styrelse", "chefsgrupp"]) & (p["year"] > 2017), "answered"]
    assert small.median() <= 12 and small.quantile(0.1) >= 2


def test_gender_item_nonresponse_and_variation(demo):
    p, r = demo.participation, demo.responses
    part = p.loc[p["group"].isin(PARTICIPANTS)]
    assert part["answered_utan_kon"].sum() > 0.15 * part["answered"].sum()
    staff = p.loc[~p["group"].isin(PARTICIPANTS)]
    assert (staff["answered_utan_kon"] == staff["answered"]).all()
    n = r.groupby(["year", "forbund", "group", "question"])["count"].sum().rename("n").reset_index()
    n = n.merge(p, on=["year", "forbund", "group"])
    assert (n["n"] < n["answered"]).mean() > 0.2  # item non-response is common
    st = question_stats(r, load_catalog(), DEFAULT_SETTINGS)
    big = st.loc[(st["forbund"] != "riket") & (st["gender"] == "alla") & (st["n"] >= 40)
                 & (st["question"] == "pag_nytta")]
    assert big["key_share"].max() - big["key_share"].min() > 0.25  # förbund differ
    own = big.pivot_table(index="forbund", columns="year", values="key_share")
    changes = (own.diff(axis=1).abs() > 0.05).sum().sum()
    assert changes >= 20  # and drift over years


def test_every_small_n_situation_occurs(demo):
    r = demo.responses
    n = r.assign(view=np.where(r["gender"].isin(["kvinna", "man"]), r["gender"], "rest")).pivot_table(
        index=["year", "forbund", "group", "question"], columns="view", values="count", aggfunc="sum", fill_value=0)
    total = n.sum(axis=1)
    assert ((total > 0) & (total < 5)).any()
    assert ((total >= 5) & (total <= 9)).any()
    split = (n["kvinna"] >= 10) & (n["man"] >= 10)
    assert split.any()
    assert (split & (n["rest"] >= 1) & (n["rest"] <= 4)).any()
    assert (((n["kvinna"] < 10) | (n["man"] < 10)) & (total >= 20)).any()
