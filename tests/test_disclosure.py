"""finsam.disclosure: small-n rules at their edges and a property test against derivation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from finsam.catalog import load_catalog
from finsam.disclosure import REASON_TEXT, apply_disclosure, reason_text
from finsam.settings import Settings
from finsam.stats import NATIONAL, VALUE_COLUMNS, question_stats

COLS = ["year", "forbund", "group", "question", "gender", "answer", "count"]
Q = dict(year=2021, group="personal", question="per_tid")


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def table(spec: dict, year: int = 2021) -> pd.DataFrame:
    """Responses for per_tid from {förbund: {gender: n}}; half of each n answers 5 (clearly positive)."""
    rows = []
    for f, genders in spec.items():
        for g, n in genders.items():
            if n:
                k = n // 2
                rows += [(year, f, "personal", "per_tid", g, 5, k), (year, f, "personal", "per_tid", g, 1, n - k)]
    return pd.DataFrame(rows, columns=COLS)


def disclosed(cat, spec, s=None, year=2021):
    s = s or Settings()
    df = apply_disclosure(question_stats(table(spec, year), cat, s), s)
    return df.loc[df["question"] == "per_tid"]


def cell(df, forbund, gender="alla", year=2021):
    sel = df.loc[(df["forbund"] == forbund) & (df["gender"] == gender) & (df["year"] == year)]
    assert len(sel) == 1
    return sel.iloc[0]


def assert_blank(r):
    for c in VALUE_COLUMNS + ["national", "diff_national", "previous", "diff_previous"]:
        assert pd.isna(r[c]), c


# --- edges -----------------------------------------------------------------------
def test_min_n_edge_4_and_5(cat):
    r4 = cell(disclosed(cat, {"a": {"utan_kon": 4}}), "a")
    assert r4["withheld"] and r4["reason"] == "min_n" and r4["caveat"] == ""
    assert_blank(r4)
    r5 = cell(disclosed(cat, {"a": {"utan_kon": 5}}), "a")
    assert not r5["withheld"] and r5["reason"] == "" and r5["n"] == 5
    assert r5["key_share"] == pytest.approx(0.4) and r5["caveat"] == "litet underlag"


def test_caution_edge_29_and_30(cat):
    assert cell(disclosed(cat, {"a": {"utan_kon": 29}}), "a")["caveat"] == "litet underlag"
    assert cell(disclosed(cat, {"a": {"utan_kon": 30}}), "a")["caveat"] == ""


def test_gender_split_needs_ten_women_and_ten_men(cat):
    df = disclosed(cat, {"a": {"kvinna": 9, "man": 10}})
    for g in ("kvinna", "man"):
        r = cell(df, "a", g)
        assert r["withheld"] and r["reason"] == "gender_min_n"
        assert_blank(r)
    assert not cell(df, "a")["withheld"]
    df = disclosed(cat, {"a": {"kvinna": 10, "man": 10}})
    assert not cell(df, "a", "kvinna")["withheld"] and cell(df, "a", "kvinna")["n"] == 10
    assert not cell(df, "a", "man")["withheld"]


@pytest.mark.parametrize("residual, shown", [(0, True), (1, False), (4, False), (5, True)])
def test_residual_edges(cat, residual, shown):
    # Residual = answers without a gender (ej_uppgett + utan_kon), split over both codes.
    spec = {"a": {"kvinna": 12, "man": 11, "ej_uppgett": residual // 2, "utan_kon": residual - residual // 2}}
    df = disclosed(cat, spec)
    for g in ("kvinna", "man"):
        r = cell(df, "a", g)
        assert (not r["withheld"]) is shown
        assert r["reason"] == ("" if shown else "residual")
    assert cell(df, "a")["n"] == 23 + residual


def test_secondary_suppression_of_smallest_forbund(cat):
    # c has 3 answers (withheld); national − a − b would give c's answers: b (smallest) is withheld too.
    df = disclosed(cat, {"a": {"utan_kon": 20}, "b": {"utan_kon": 8}, "c": {"utan_kon": 3}})
    assert cell(df, "c")["reason"] == "min_n"
    b = cell(df, "b")
    assert b["withheld"] and b["reason"] == "secondary"
    assert_blank(b)
    a = cell(df, "a")
    assert not a["withheld"] and a["national"] == pytest.approx(15 / 31)
    assert not cell(df, NATIONAL)["withheld"] and cell(df, NATIONAL)["n"] == 31
    # Ties: the first förbund id.
    df = disclosed(cat, {"a": {"utan_kon": 8}, "b": {"utan_kon": 8}, "c": {"utan_kon": 3}})
    assert cell(df, "a")["reason"] == "secondary" and not cell(df, "b")["withheld"]


@pytest.mark.parametrize("small", [0, 5])
def test_no_secondary_when_withheld_total_is_0_or_at_least_5(cat, small):
    spec = {"a": {"utan_kon": 20}, "b": {"utan_kon": 8}, "c": {"utan_kon": 2}, "d": {"utan_kon": 3}}
    if small == 0:
        spec = {"a": {"utan_kon": 20}, "b": {"utan_kon": 8}}
    df = disclosed(cat, spec)
    assert not cell(df, "a")["withheld"] and not cell(df, "b")["withheld"]


def test_national_split_withheld_when_complement_is_small(cat):
    # b's split is withheld (3 men); national men − a's men would reveal b's 3 men.
    df = disclosed(cat, {"a": {"kvinna": 12, "man": 12}, "b": {"kvinna": 12, "man": 3}})
    assert not cell(df, "a", "kvinna")["withheld"]
    for g in ("kvinna", "man"):
        nat = cell(df, NATIONAL, g)
        assert nat["withheld"] and nat["reason"] == "complement"
        # A withheld national figure means no national comparison for the förbund.
        a = cell(df, "a", g)
        assert pd.isna(a["national"]) and pd.isna(a["diff_national_low"]) and pd.isna(a["national_label"])
    assert cell(df, "a")["national"] == pytest.approx(19 / 39)
    df = disclosed(cat, {"a": {"kvinna": 12, "man": 12}, "b": {"kvinna": 12, "man": 5}})
    assert not cell(df, NATIONAL, "man")["withheld"]
    assert cell(df, "a", "man")["national"] == pytest.approx(8 / 17)


def test_withheld_previous_year_means_no_previous_comparison(cat):
    s = Settings()
    resp = pd.concat([table({"a": {"utan_kon": 4}}, 2020), table({"a": {"utan_kon": 10}}, 2021),
                      table({"a": {"utan_kon": 12}}, 2022)])
    df = apply_disclosure(question_stats(resp, cat, s), s)
    df = df.loc[df["question"] == "per_tid"]
    assert pd.isna(cell(df, "a", year=2021)["previous"]) and pd.isna(cell(df, "a", year=2021)["trend"])
    r = cell(df, "a", year=2022)
    assert r["previous"] == pytest.approx(0.5) and r["trend"] == "→"


def test_reason_texts_are_swedish_and_follow_settings():
    assert REASON_TEXT["min_n"] == "För få svar (n < 5)."
    assert "10 kvinnor och 10 män" in REASON_TEXT["gender_min_n"]
    assert reason_text("min_n", Settings(min_n=3, caution_n=30, gender_min_n=10)) == "För få svar (n < 3)."
    assert reason_text("", Settings()) == ""
    assert set(REASON_TEXT) >= {"no_answers", "min_n", "gender_min_n", "residual", "complement", "secondary"}


# --- property test: nothing about a group of 1–4 can be derived ---------------------
VIEWS_ATOMS = ("kvinna", "man", "ovrig")


def published_sets(df: pd.DataFrame, forbunds: list[str]) -> list[frozenset]:
    """The atoms (förbund, kvinna|man|ovrig) behind every published cell of one question."""
    out = []
    for r in df.loc[~df["withheld"]].itertuples():
        fs = forbunds if r.forbund == NATIONAL else [r.forbund]
        views = VIEWS_ATOMS if r.gender == "alla" else (r.gender,)
        out.append(frozenset((f, v) for f in fs for v in views))
    return out


def derivable_small_groups(atoms: dict, published: list[frozenset], min_n: int) -> list[tuple]:
    """Sets of atoms with 1..min_n−1 answers whose counts follow from published cells.

    A set S is derivable when its indicator vector lies in the linear span of the
    published cells' indicator vectors (sums and differences of published numbers),
    closed under "a derived total of 0 means every atom in it is 0".
    """
    keys = sorted(atoms)
    idx = {a: i for i, a in enumerate(keys)}
    nvec = np.array([atoms[a] for a in keys], dtype=float)
    rows = []
    for p in published:
        v = np.zeros(len(keys))
        v[[idx[a] for a in p]] = 1
        rows.append(v)
    subsets = np.array(list(itertools.product([0, 1], repeat=len(keys))), dtype=float)[1:]
    zeros: set[int] = set()
    while True:
        mat = np.array(rows + [np.eye(len(keys))[i] for i in sorted(zeros)]) if rows or zeros else np.zeros((1, len(keys)))
        _, sv, vt = np.linalg.svd(mat)
        basis = vt[: int((sv > 1e-9).sum())]
        resid = subsets - (subsets @ basis.T) @ basis
        derivable = np.abs(resid).max(axis=1) < 1e-8
        counts = subsets @ nvec
        new = {i for s_ in subsets[derivable & (counts == 0)] for i in np.flatnonzero(s_)}
        if new <= zeros:
            break
        zeros |= new
    bad = derivable & (counts >= 1) & (counts < min_n)
    return [tuple(keys[i] for i in np.flatnonzero(s_)) for s_ in subsets[bad]]


CELL = st.integers(min_value=0, max_value=12)


@st.composite
def small_tables(draw):
    nf = draw(st.integers(min_value=1, max_value=4))
    spec = {}
    for i in range(nf):
        spec[f"f{i}"] = {g: draw(CELL) for g in ("kvinna", "man")}
        spec[f"f{i}"]["ej_uppgett"] = draw(st.integers(min_value=0, max_value=6))
        spec[f"f{i}"]["utan_kon"] = draw(st.sampled_from([0, 0, 1, 2, 3, 5, 12]))
    gmin = draw(st.sampled_from([5, 10]))
    return spec, gmin


@hsettings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables())
def test_no_group_of_1_to_4_can_be_derived(example):
    spec, gmin = example
    cat = load_catalog()
    s = Settings(gender_min_n=gmin)
    resp = table(spec)
    if resp.empty:
        return
    df = apply_disclosure(question_stats(resp, cat, s), s)
    df = df.loc[df["question"] == "per_tid"]
    forbunds = sorted(spec)
    atoms = {
        (f, v): (g["kvinna"] if v == "kvinna" else g["man"] if v == "man" else g["ej_uppgett"] + g["utan_kon"])
        for f, g in spec.items() for v in VIEWS_ATOMS
    }
    # Published numbers are the true ones; withheld cells show nothing.
    for r in df.itertuples():
        fs = forbunds if r.forbund == NATIONAL else [r.forbund]
        views = VIEWS_ATOMS if r.gender == "alla" else (r.gender,)
        true_n = sum(atoms.get((f, v), 0) for f in fs for v in views)
        if r.withheld:
            assert pd.isna(r.n) and math.isnan(r.key_share) and pd.isna(r.key_count)
            assert r.reason != ""
        else:
            assert r.n == true_n >= s.min_n
            assert r.key_count == round(r.key_share * r.n)
    bad = derivable_small_groups(atoms, published_sets(df, forbunds), s.min_n)
    assert bad == [], f"derivable groups of 1–{s.min_n - 1}: {bad}"


def test_checker_finds_a_known_leak():
    # Guard for the checker itself: förbund total and women and men published, residual 2.
    atoms = {("a", "kvinna"): 10, ("a", "man"): 10, ("a", "ovrig"): 2}
    published = [frozenset(atoms), frozenset({("a", "kvinna")}), frozenset({("a", "man")})]
    assert derivable_small_groups(atoms, published, 5) == [(("a", "ovrig"),)]
    # National minus a published förbund reveals the other one.
    atoms = {("a", "ovrig"): 10, ("b", "ovrig"): 3}
    assert derivable_small_groups(atoms, [frozenset(atoms), frozenset({("a", "ovrig")})], 5) == [(("b", "ovrig"),)]


def test_withheld_cell_blanks_every_extra_including_answered(cat):
    s = Settings()
    part = pd.DataFrame(
        [(2021, f, "personal", 30, 0, n, 0, 0, 0, n) for f, n in (("a", 4), ("b", 20))],
        columns=["year", "forbund", "group", "asked", "unreachable", "answered",
                 "answered_kvinna", "answered_man", "answered_ej_uppgett", "answered_utan_kon"],
    )
    df = apply_disclosure(question_stats(table({"a": {"utan_kon": 4}, "b": {"utan_kon": 20}}), cat, s, part), s)
    df = df.loc[df["question"] == "per_tid"]
    a, b = cell(df, "a"), cell(df, "b")
    assert a["withheld"] and b["withheld"]  # a: min_n; b: secondary (riket − b would reveal a)
    assert b["reason"] == "secondary"
    kept = {"year", "forbund", "group", "question", "indicator", "gender", "withheld", "reason", "caveat",
            "scale", "number", "text", "group_order"}
    for r in (a, b):
        assert {c for c in df.columns if c not in kept and not pd.isna(r[c])} == set()
    # The national total is shown, with its extras.
    nat = cell(df, NATIONAL)
    assert not nat["withheld"] and nat["answered"] == 24 and nat["key_count"] == 12
