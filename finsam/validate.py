"""Validation of the shared aggregates against the format and the survey catalogue.

Every rule is checked on every row and all problems are returned at once, each
located by file (sheet), row and column (row convention: see :mod:`finsam.io`).
The checks are vectorised with pandas; messages are built only for bad rows.

Rules
-----
Reading     missing file/sheet or column; text that is not UTF-8; malformed CSV.
Types       ``year`` empty, not an integer or outside :data:`YEAR_RANGE`
            (from the catalogue's first year); counts and participation numbers
            empty, not integers or negative; answer codes not integers.
Codes       unknown förbund (not in forbund.csv), group, question, gender code;
            answer code not on the question's scale; question asked of another
            group than its catalogue group or outside its validity years.
Keys        duplicated keys (see :data:`finsam.io.KEYS`); förbund id or name empty.
Counts      per participation row: unreachable ≤ asked; answered ≤ asked −
            unreachable; answered_kvinna + answered_man + answered_ej_uppgett +
            answered_utan_kon ≤ answered.
Cross       responses need a participation row (year, förbund, group); a
            question's n (sum of counts over answers) ≤ answered, and per gender
            ≤ answered_<gender>; a conditional question (catalogue
            condition_question/condition_answer) has per year × förbund × gender
            at most as many answers as the condition answer ("Ja") got on its
            condition question (the total over genders then follows).
National    the optional national reference (``national.csv``,
            ``national_participation.csv``) follows the same rules as
            responses and participation (types, codes, keys, counts, cross).
            Against it, per year it covers: no förbund cell may be larger than
            its national cell – responses per year × group × question × answer
            and gender (kvinna, man, the others together; all genders together
            when the reference gives no gender split for the question), and
            every participation number per year × group. Both rows are named.
            A question missing from the reference has no national figure and
            is not compared.

To avoid one mistake producing a cascade of messages, rows that fail a
row-level rule (and repeated rows of a duplicated key) are left out of the
cross-table sums; a table with a missing column is only reported as such.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._problem import grouped_problems  # noqa: F401 - public name
from ._typecheck import (  # noqa: F401 - the type rules and shared helpers; public names re-exported
    LAST_YEAR, MAX_COUNT, MAX_NAME, SHOWN_CHARS, YEAR_RANGE, _GENDER_COLUMNS, _Collector, _check_code,
    _check_duplicates, _fmt, _ranges, _ref, _shown, _sorted, _spans, _types, _where, type_problems,
)
from .reading import ALL_TABLES, OPTIONAL_TABLES, DataValidationError, Dataset, Problem, RawData, read_raw

__all__ = [
    "DataValidationError",
    "Problem",
    "YEAR_RANGE",
    "type_problems",
    "validate_dataset",
    "validate_path",
]

# ---------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------
#: Förbund ids become file names and URLs (reports/<year>/<forbund>.ipynb).
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
#: The id of the national rows in results and reports.
NATIONAL_ID = "riket"


def _check_forbund(col: _Collector, df: pd.DataFrame) -> set:
    col.add("forbund", df.index[df["forbund"].eq("")], "forbund", "förbundets id saknas")
    col.add("forbund", df.index[df["name"].eq("")], "name", "namn saknas")
    long = df["name"].str.len() > MAX_NAME
    col.add("forbund", df.index[long], "name",
            [f"namnet är {len(v)} tecken långt (högst {MAX_NAME}): {_shown(v)}" for v in df["name"][long]])
    ids = df["forbund"]
    col.add("forbund", df.index[ids.eq(NATIONAL_ID)], "forbund",
            f"id {NATIONAL_ID!r} är reserverat för riksraderna")
    bad_slug = ids.ne("") & ~ids.str.fullmatch(SLUG_PATTERN)
    col.add("forbund", df.index[bad_slug], "forbund",
            [f"id {_shown(v)} får bara innehålla a–z, 0–9 och bindestreck (det blir fil- och webbadresser)"
             for v in ids[bad_slug]])
    _check_duplicates(col, "forbund", df)
    return set(df["forbund"]) - {""}


def _check_keys(col: _Collector, table: str, df: pd.DataFrame, known_forbund: set | None, catalog) -> pd.Series:
    """förbund and group columns; returns the ok mask."""
    raw = col.raw
    ok = pd.Series(True, index=df.index)
    if known_forbund is not None:
        ok &= _check_code(col, table, df["forbund"], "forbund", known_forbund, "okänt förbund",
                          f" (finns inte i {_where(raw, 'forbund')})")
    groups = catalog.group_ids
    ok &= _check_code(col, table, df["group"], "group", set(groups), "okänd grupp", f" (giltiga: {', '.join(groups)})")
    return ok


def _check_participation(col: _Collector, df: pd.DataFrame, p: dict, table: str = "participation") -> None:
    v = p["values"]
    asked, unreachable, answered = v["asked"], v["unreachable"], v["answered"]
    over = unreachable > asked
    col.add(table, df.index[over], "unreachable",
            [f"unreachable ({_fmt(u)}) är större än asked ({_fmt(a)})" for u, a in zip(unreachable[over], asked[over])])
    reachable = asked - unreachable
    over = (answered > reachable) & (unreachable <= asked)
    col.add(table, df.index[over], "answered",
            [f"answered ({_fmt(x)}) är större än asked − unreachable ({_fmt(a)} − {_fmt(u)} = {_fmt(a - u)})"
             for x, a, u in zip(answered[over], asked[over], unreachable[over])])
    total = sum(v[c] for c in _GENDER_COLUMNS)
    over = total > answered
    col.add(table, df.index[over], "answered",
            [f"summan av answered_kvinna, answered_man, answered_ej_uppgett och answered_utan_kon ({_fmt(s)}) "
             f"är större än answered ({_fmt(x)})" for s, x in zip(total[over], answered[over])])


def _check_responses(col: _Collector, df: pd.DataFrame, r: dict, known_forbund, catalog,
                     table: str = "responses") -> pd.Series:
    """Row-level rules of responses.csv (or national.csv); returns the mask of clean rows."""
    ok = _check_keys(col, table, df, known_forbund, catalog)
    q = catalog.questions
    qinfo = q.drop_duplicates("question").set_index("question")[["group", "scale"]]
    q_ok = _check_code(col, table, df["question"], "question", set(qinfo.index), "okänd fråga",
                       " (giltiga frågor: se bladet koder i finsam template)")
    genders = catalog.gender_ids
    g_ok = _check_code(col, table, df["gender"], "gender", set(genders), "okänd könskod",
                       f" (giltiga: {', '.join(genders)})")
    ok &= q_ok & g_ok & r["ok"]["year"] & r["ok"]["count"] & r["ok"]["answer"]

    # Question asked of its own group.
    cat_group = df["question"].map(qinfo["group"])
    wrong = q_ok & df["group"].ne("") & df["group"].isin(catalog.group_ids) & cat_group.ne(df["group"])
    col.add(table, df.index[wrong], "question",
            [f"fråga {x} ställs till gruppen {cg}, inte till {g}"
             for x, cg, g in zip(df["question"][wrong], cat_group[wrong], df["group"][wrong])])
    ok &= ~wrong

    # Answer code on the question's scale.
    answer = r["values"]["answer"]
    scales = catalog.scales
    valid_pairs = pd.MultiIndex.from_arrays([scales["scale"], scales["code"].astype("float64")])
    scale = df["question"].map(qinfo["scale"])
    check = q_ok & answer.notna()
    pairs = pd.MultiIndex.from_arrays([scale.where(check, ""), answer.where(check, -1.0)])
    off = check & ~pd.Series(pairs.isin(valid_pairs), index=df.index)
    codes = {s: _ranges(g["code"].tolist()) for s, g in scales.groupby("scale")}
    col.add(table, df.index[off], "answer",
            [f"svarskod {_fmt(a)} finns inte på skalan {s} ({codes[s]})" for a, s in zip(answer[off], scale[off])])
    ok &= ~off

    # Validity years of the question (any version covering the year).
    year = r["values"]["year"]
    check = q_ok & year.notna()
    if check.any():
        rows = pd.DataFrame({"rad": df.index[check], "question": df["question"][check].to_numpy(),
                             "year": year[check].to_numpy()})
        m = rows.merge(q[["question", "first_year", "last_year"]], on="question")
        last = m["last_year"].astype("float64").fillna(np.inf)
        m["covered"] = (m["year"] >= m["first_year"]) & (m["year"] <= last)
        covered = m.groupby("rad")["covered"].any()
        outside = covered.index[~covered.to_numpy()]
        spans = {qid: _spans(q[q["question"] == qid]) for qid in set(df.loc[outside, "question"])}
        col.add(table, outside, "year",
                [f"fråga {df.at[i, 'question']} ställdes inte år {_fmt(year[i])} "
                 f"(giltig {spans[df.at[i, 'question']]})" for i in outside])
        ok &= ~df.index.isin(outside)
    dup = _check_duplicates(col, table, df)
    return ok & ~dup


def _clean_responses(df: pd.DataFrame, r: dict, ok: pd.Series) -> pd.DataFrame:
    v = r["values"]
    out = pd.DataFrame({
        "rad": df.index[ok],
        "year": v["year"][ok].astype("int64").to_numpy(),
        "forbund": df["forbund"][ok].to_numpy() if "forbund" in df.columns else NATIONAL_ID,
        "group": df["group"][ok].to_numpy(),
        "question": df["question"][ok].to_numpy(),
        "gender": df["gender"][ok].to_numpy(),
        "answer": v["answer"][ok].astype("int64").to_numpy(),
        "count": v["count"][ok].astype("int64").to_numpy(),
    })
    return out


def _check_cross(col: _Collector, resp: pd.DataFrame, part: pd.DataFrame, catalog,
                 tables: tuple[str, str] = ("responses", "participation"), per_gender: bool = True) -> None:
    """Responses against participation and conditional questions (or the national pair of tables).

    With ``per_gender`` false (the national reference, which may give a
    question's answers without gender split) the gender rules are checked on
    all genders together.
    """
    raw = col.raw
    rt, pt = tables
    key = ["year", "forbund", "group"]
    # Responses need a participation row.
    cells = resp.groupby(key, as_index=False, sort=False).agg(rad=("rad", "min"))
    m = cells.merge(part[key + ["prad"]].drop_duplicates(key), on=key, how="left")
    lost = m[m["prad"].isna()]
    col.add(rt, lost["rad"], None,
            [f"ingen rad i {_where(raw, pt)} för år {y}, förbund {f}, grupp {g}"
             for y, f, g in zip(lost["year"], lost["forbund"], lost["group"])])

    # n per question ≤ answered.
    n = resp.groupby(key + ["question"], as_index=False, sort=False).agg(n=("count", "sum"), rad=("rad", "min"))
    m = n.merge(part, on=key)
    over = m[m["n"] > m["answered"]]
    col.add(rt, over["rad"], "count",
            [f"fråga {q} har {n_} svar år {y} för förbund {f}, men answered är {_fmt(a)} ({_ref(raw, pt, pr)})"
             for q, n_, y, f, a, pr in zip(over["question"], over["n"], over["year"], over["forbund"], over["answered"],
                                            over["prad"])])

    if not per_gender:
        resp = resp.assign(gender="alla")
    # n per question and gender ≤ answered_<gender>.
    ng = resp.groupby(key + ["question", "gender"], as_index=False, sort=False).agg(
        n=("count", "sum"), rad=("rad", "min"))
    m = ng.merge(part, on=key)
    limit = pd.Series(np.nan, index=m.index)
    for g in catalog.gender_ids:
        c = f"answered_{g}"
        if c in m:
            limit = limit.where(m["gender"] != g, m[c])
    over = m[m["n"] > limit] if per_gender else m.iloc[:0]
    col.add(rt, over["rad"], "count",
            [f"fråga {q} har {n_} svar med kön {g} år {y} för förbund {f}, men answered_{g} är {_fmt(a)} "
             f"({_ref(raw, pt, pr)})"
             for q, g, n_, y, f, a, pr in zip(over["question"], over["gender"], over["n"], over["year"],
                                              over["forbund"], limit[over.index], over["prad"])])

    # Conditional questions ≤ the condition answer on the condition question (per gender).
    q = catalog.questions
    cond = q.loc[q["condition_question"].ne(""), ["question", "first_year", "last_year", "condition_question",
                                                   "condition_answer"]]
    if cond.empty:
        return
    gkey = key + ["gender"]
    nc = resp[resp["question"].isin(cond["question"])].groupby(gkey + ["question"], as_index=False, sort=False).agg(
        n=("count", "sum"), rad=("rad", "min"))
    m = nc.merge(cond, on="question")
    last = m["last_year"].astype("float64").fillna(np.inf)
    m = m[(m["year"] >= m["first_year"]) & (m["year"] <= last)].copy()
    if m.empty:
        return
    m["condition_answer"] = m["condition_answer"].astype("int64")
    yes = (resp.groupby(gkey + ["question", "answer"], as_index=False, sort=False)["count"].sum()
           .rename(columns={"question": "condition_question", "answer": "condition_answer", "count": "yes"}))
    m = m.merge(yes, on=gkey + ["condition_question", "condition_answer"], how="left")
    m["yes"] = m["yes"].fillna(0).astype("int64")
    over = m[m["n"] > m["yes"]]
    labels = {}
    for cq, ca in set(zip(over["condition_question"], over["condition_answer"])):
        scale = q.loc[q["question"] == cq, "scale"].iloc[0]
        labels[cq, ca] = catalog.scales.loc[(catalog.scales["scale"] == scale) & (catalog.scales["code"] == ca),
                                            "label"].iloc[0]
    col.add(rt, over["rad"], "count",
            [f"villkorsfrågan {qq} har {n_} svar med kön {g} år {y} för förbund {f}, men bara {yy} svarade "
             f"{labels[cq, ca]} ({ca}) på {cq}"
             for qq, n_, g, y, f, yy, cq, ca in zip(over["question"], over["n"], over["gender"], over["year"],
                                                    over["forbund"], over["yes"], over["condition_question"],
                                                    over["condition_answer"])])


def _as_raw(data: Dataset) -> RawData:
    """A Dataset (typed or not) as RawData; rows numbered as if written to CSV."""
    tables: dict[str, pd.DataFrame | None] = {}
    problems = []
    for name, cols in ALL_TABLES.items():
        df = getattr(data, name)
        if df is None:  # optional table absent
            tables[name] = None
            continue
        missing = [c for c in cols if c not in df.columns]
        problems += [Problem(f"{name}.csv", 1, c, "kolumnen saknas") for c in missing]
        if missing:
            tables[name] = None
            continue
        out = pd.DataFrame({c: df[c].astype("str").str.strip() for c in cols})
        out.index = pd.Index(np.arange(len(df)) + 2, dtype="int64", name="rad")
        tables[name] = out
    locations = {name: (f"{name}.csv", None) for name in ALL_TABLES}
    source = data.source if data.source is not None else Path(".")
    return RawData(tables, locations, dict(data.meta), problems, source)


def validate_dataset(data: RawData | Dataset, *, catalog=None) -> list[Problem]:
    """Check every rule and return all problems (empty list: the data are valid).

    Parameters
    ----------
    data : RawData or Dataset
        From :func:`finsam.io.read_raw`, or an in-memory :class:`Dataset`
        (rows are then numbered as if written to CSV: first data row = 2).
    catalog : Catalog, optional
        Default :func:`finsam.catalog.load_catalog`.

    Returns
    -------
    list of Problem
        Ordered by file, row and column.
    """
    from .catalog import load_catalog

    catalog = catalog or load_catalog()
    raw = _as_raw(data) if isinstance(data, Dataset) else data
    col = _Collector(raw)
    parsed = _types(col, int(catalog.questions["first_year"].min()))
    usable = {
        name: df for name, df in raw.tables.items() if df is not None and list(df.columns) == ALL_TABLES[name]
    }
    known_forbund = _check_forbund(col, usable["forbund"]) if "forbund" in usable else None

    part = None
    if "participation" in usable:
        df, p = usable["participation"], parsed["participation"]
        part = _clean_participation(col, "participation", df, p, known_forbund, catalog)
    if "responses" in usable and not len(usable["responses"]) and not raw.problems:
        file, sheet = raw.locations["responses"]
        col.problems.append(Problem(file, None, None, "inga svar: tabellen responses har inga rader", sheet))
    resp = None
    if "responses" in usable:
        df, r = usable["responses"], parsed["responses"]
        ok = _check_responses(col, df, r, known_forbund, catalog)
        resp = _clean_responses(df, r, ok)
        if part is not None:
            _check_cross(col, resp, part, catalog)
    _check_national_tables(col, usable, parsed, catalog, resp, part)
    return _sorted(raw, list(raw.problems) + col.problems)


def _clean_participation(col: _Collector, table: str, df: pd.DataFrame, p: dict, known_forbund, catalog) -> pd.DataFrame:
    """Row rules of a participation table; the clean rows (``prad`` = source row) for the cross checks."""
    key_ok = _check_keys(col, table, df, known_forbund, catalog) & p["ok"]["year"]
    dup = _check_duplicates(col, table, df)
    _check_participation(col, df, p, table)
    keep = key_ok & ~dup  # bad numbers are NaN: no cross check fires on them
    forbund = df["forbund"][keep].to_numpy() if "forbund" in df.columns else NATIONAL_ID
    out = pd.DataFrame({"prad": df.index[keep], "year": p["values"]["year"][keep].astype("int64").to_numpy(),
                        "forbund": forbund, "group": df["group"][keep].to_numpy()})
    for c in ["asked", "unreachable", "answered"] + _GENDER_COLUMNS:
        out[c] = p["values"][c][keep].to_numpy()
    return out


def _check_national_tables(col: _Collector, usable: dict, parsed: dict, catalog, resp, part) -> None:
    """The national reference: its own rules, then no förbund cell larger than its national cell."""
    raw = col.raw
    present = [name for name in OPTIONAL_TABLES if raw.tables.get(name) is not None]
    if len(present) == 1:  # the two tables come together
        missing = next(name for name in OPTIONAL_TABLES if name not in present)
        file, sheet = raw.locations[missing]
        col.problems.append(Problem(file, None, None, f"saknas: riksreferensen behöver både {_where(raw, 'national')} "
                                    f"och {_where(raw, 'national_participation')}", sheet))
    nat = npart = None
    if "national_participation" in usable:
        df = usable["national_participation"]
        npart = _clean_participation(col, "national_participation", df, parsed["national_participation"], None,
                                     catalog)
    if "national" in usable:
        df, r = usable["national"], parsed["national"]
        ok = _check_responses(col, df, r, None, catalog, table="national")
        nat = _clean_responses(df, r, ok)
        if npart is not None:
            _check_cross(col, nat, npart, catalog, tables=("national", "national_participation"), per_gender=False)
    if nat is not None and resp is not None:
        _check_against_national(col, resp, nat)
    if npart is not None and part is not None:
        _check_participation_against_national(col, part, npart)


def _gender_bucket(frame: pd.DataFrame, split: pd.Series) -> np.ndarray:
    """kvinna, man or the others together; ``alla`` where the reference has no gender split."""
    g = frame["gender"].to_numpy(dtype=object)
    bucket = np.where(np.isin(g, ["kvinna", "man"]), g, "ej_uppgett/utan_kon")
    return np.where(split.to_numpy(dtype=bool), bucket, "alla")


def _check_against_national(col: _Collector, resp: pd.DataFrame, nat: pd.DataFrame) -> None:
    """A förbund's answers per question × answer × gender ≤ the national reference's."""
    raw = col.raw
    qkey = ["year", "group", "question"]
    questions = nat.assign(_split=nat["gender"].isin(["kvinna", "man"])).groupby(qkey, as_index=False)["_split"].any()
    r = resp.merge(questions, on=qkey, how="inner")  # questions the reference covers
    if r.empty:
        return
    r["bucket"] = _gender_bucket(r, r["_split"])
    n = nat.merge(questions, on=qkey)
    n["bucket"] = _gender_bucket(n, n["_split"])
    ckey = qkey + ["answer", "bucket"]
    fb = r.groupby(["forbund"] + ckey, as_index=False, sort=False).agg(count=("count", "sum"), rad=("rad", "min"))
    nn = n.groupby(ckey, as_index=False, sort=False).agg(ncount=("count", "sum"), nrad=("rad", "min"))
    m = fb.merge(nn, on=ckey, how="left")
    m["ncount"] = m["ncount"].fillna(0).astype("int64")
    over = m[m["count"] > m["ncount"]]
    if over.empty:
        return
    where = _where(raw, "national")

    def _nref(nrad) -> str:
        return f"{where} rad {int(nrad)}" if pd.notna(nrad) else f"ingen rad i {where}"

    col.add("responses", over["rad"], "count",
            [f"förbund {f} har {c} svar {a} på fråga {q} (kön {b}) år {y}, fler än hela riket ({nc}; {_nref(nr)})"
             for f, c, a, q, b, y, nc, nr in zip(over["forbund"], over["count"], over["answer"], over["question"],
                                                over["bucket"], over["year"], over["ncount"], over["nrad"])])


def _check_participation_against_national(col: _Collector, part: pd.DataFrame, npart: pd.DataFrame) -> None:
    """Every participation number of a förbund ≤ the national one (years the reference covers)."""
    raw = col.raw
    p = part.loc[part["year"].isin(set(npart["year"]))]
    m = p.merge(npart.drop(columns="forbund").drop_duplicates(["year", "group"]), on=["year", "group"], how="left",
                suffixes=("", "_nat"))
    where = _where(raw, "national_participation")
    lost = m[m["prad_nat"].isna()]
    col.add("participation", lost["prad"], "group",
            [f"ingen rad i {where} för år {y}, grupp {g}" for y, g in zip(lost["year"], lost["group"])])
    m = m[m["prad_nat"].notna()]
    for c in ["asked", "unreachable", "answered"] + _GENDER_COLUMNS:
        over = m[m[c] > m[f"{c}_nat"]]
        col.add("participation", over["prad"], c,
                [f"{c} ({_fmt(v)}) för förbund {f} är större än rikets ({_fmt(nv)}; {where} rad {int(nr)})"
                 for v, f, nv, nr in zip(over[c], over["forbund"], over[f"{c}_nat"], over["prad_nat"])])


def validate_path(path: str | Path | None = None, *, catalog=None) -> list[Problem]:
    """Read a data directory or workbook (``None``: the demo data) and validate it."""
    return validate_dataset(read_raw(path), catalog=catalog)
