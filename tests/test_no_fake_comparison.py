"""No national comparison without a national figure worth the name (issue 13, point 3)."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from finsam.cli import main
from finsam.io import load_dataset
from finsam.results import compute_results, few_forbund_years
from finsam.settings import DEFAULT_SETTINGS, Settings
from finsam.stats import NATIONAL_COLUMNS


@pytest.fixture(scope="module")
def one_forbund(tmp_path_factory):
    """The demo data of one förbund only (what an evaluator's own workbook holds)."""
    ds = load_dataset()
    out = tmp_path_factory.mktemp("one")
    for name, table in (("forbund", ds.forbund), ("responses", ds.responses), ("participation", ds.participation)):
        table.loc[table["forbund"] == "blekinge"].to_csv(out / f"{name}.csv", index=False)
    return out


def test_the_default_needs_three_forbund():
    assert DEFAULT_SETTINGS.min_forbund_national == 3


def test_one_forbund_without_reference_has_empty_national_columns_with_a_reason(one_forbund, tmp_path):
    out = tmp_path / "r.csv"
    res = CliRunner().invoke(main, ["results", str(one_forbund), "--year", "2024", "--level", "indicator",
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows
    for row in rows:
        assert all(row[c] == "" for c in ("national", "diff_national", "national_label", "diff_rest",
                                         "diff_national_low", "diff_national_high"))
        assert row["national_reason"] == "few_forbund"


def test_enough_forbund_keep_the_comparison_and_the_threshold_is_a_setting(one_forbund):
    ds = load_dataset()
    assert few_forbund_years(ds, DEFAULT_SETTINGS) == []
    df = compute_results(ds, year=2024, forbund="blekinge", level="indicator")
    assert df["national"].notna().any() and df["national_reason"].isna().all()
    one = load_dataset(one_forbund)
    assert few_forbund_years(one, Settings(min_forbund_national=1)) == []
    df = compute_results(one, Settings(min_forbund_national=1), year=2024, forbund="blekinge", level="indicator")
    assert df["national"].notna().any()  # the user asked for it


def test_the_report_says_why_and_has_no_higher_or_lower_label(one_forbund):
    from finsam.reports import forbund as F

    rep = F.open_report("blekinge", 2024, str(one_forbund))
    text = F._sentences(rep) + F._overview_legend(rep, F.glance.Footnotes())
    assert "Ingen jämförelse med riket" in text and "fler förbund" in text and "ett förbund" in text
    for word in ("högre", "lägre", "Högre", "Lägre", "rikssnitt (", "säkerställd"):
        assert word not in text.replace("Ingen jämförelse med riket", "")
    table = F.overview_table(rep).html
    assert "Varken högre eller lägre" not in table and "Högre:" not in table and "Lägre:" not in table
    rows = rep.ind
    assert rows[list(c for c in NATIONAL_COLUMNS if c in rows.columns)].isna().all().all()
