"""What the report notebooks call: cached statistics, selection, tables, figures, sentences.

The notebooks (``notebooks/forbund.ipynb``, ``riket.ipynb``, ``indikator.ipynb``)
only call :func:`forbund_report`, :func:`riket_report` or
:func:`indikator_report` and display what the returned object's section
methods give (lists of displayable objects: Markdown, HTML tables, figures).
Every number and every sentence is generated here from the data.

Caching
-------
The statistics of a whole dataset (:func:`finsam.results.compute_all`) take a
few seconds; one build runs hundreds of reports in a few warm kernels. The
results are therefore cached per *content* of the data directory and the
settings:

* in memory (module level, survives between notebooks in a warm kernel,
  because the build keeps ``sys.modules``), and
* on disk as a pickle under the cache directory (``$FINSAM_CACHE_DIR``, else
  ``.finsam-cache/`` in a checkout, else ``~/.cache/finsam``), keyed by a hash
  of the data files, the catalogue, the settings and the source code of the
  statistics modules, so a fresh kernel (plain ``papermill``) also skips the
  computation. Entries are written atomically; a broken entry is recomputed.

Withheld cells
--------------
Only rows that are not withheld are ever formatted as numbers; a withheld cell
shows its reason text. Indicator figures pool published cells only
(:mod:`finsam.stats`), so nothing shown lets a withheld value be derived.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Markdown

from . import figures, fmt, tables
from ._atomic import atomic_write_bytes
from ._paths import CATALOG_DIR, DEMO_DIR, PACKAGE_DIR, REPO_ROOT
from .catalog import Catalog, load_catalog, year_span
from .disclosure import reason_text
from .io import Dataset, load_dataset
from .results import Results, compute_all
from .settings import Settings
from .stats import ALL_GROUPS, NATIONAL, funnel_limits, proportion_ci

#: Title of the notice shown on every report and page built from synthetic data (also used by finsam.site).
SYNTHETIC_NOTICE_TITLE = "Syntetiska demodata – siffrorna är påhittade"
#: Body text of the synthetic-data notice (also used by finsam.site).
SYNTHETIC_NOTICE_TEXT = ("Förbundens namn är verkliga men alla siffror är påhittade. "
                         "Dra inga slutsatser om något förbund.")
#: Backwards-compatible alias of :data:`SYNTHETIC_NOTICE_TITLE`.
SYNTHETIC_NOTICE = SYNTHETIC_NOTICE_TITLE
VIEWS = ("alla", "kvinna", "man")
_VIEW_WORD = {"alla": "alla", "kvinna": "kvinnor", "man": "män"}
_CI_METHOD_TEXT = {
    "wilson": "Wilsons metod (Wilson score-intervall)",
    "jeffreys": "Jeffreys metod",
    "clopper_pearson": "Clopper–Pearsons exakta metod",
}
_SHORT_REASON = {
    "no_answers": "inga svar",
    "min_n": "för få svar (n < {min_n})",
    "gender_min_n": "för få per kön",
    "residual": "dold (kön kan räknas fram)",
    "complement": "dold (skydd)",
    "secondary": "dold (skydd)",
    "no_published": "dold (skydd av små grupper)",
}
#: The first national measurement (autumn 2017, see /work/shared/domain.md and seed 003).
FIRST_NATIONAL_YEAR = 2017
#: Files of the statistics code whose source is part of the disk-cache key.
_CODE_FILES = ("stats.py", "disclosure.py", "results.py", "catalog.py", "io.py", "settings.py")


class ReportError(ValueError):
    """Bad report parameters (unknown förbund, year without data, …); message in Swedish."""


# ---------------------------------------------------------------------------
# Parameters, data and cache
# ---------------------------------------------------------------------------
def resolve_data_dir(data_dir) -> Path:
    """The data directory of a report: ``""``/``None`` means the shipped demo data."""
    if data_dir is None or str(data_dir).strip() == "":
        return DEMO_DIR
    path = Path(str(data_dir)).expanduser()
    if not path.exists():
        raise ReportError(f"Datakatalogen finns inte: {path}")
    return path.resolve()


def make_settings(ci_method=None, confidence=None, margin_pp=None, min_n=None, caution_n=None,
                  gender_min_n=None) -> Settings:
    """Settings from the notebook parameters; ``None`` keeps the value of ``settings.toml``."""
    given = {"ci_method": (ci_method, str), "confidence": (confidence, float), "margin_pp": (margin_pp, float),
             "min_n": (min_n, int), "caution_n": (caution_n, int), "gender_min_n": (gender_min_n, int)}
    try:
        return Settings.from_toml(**{k: cast(v) for k, (v, cast) in given.items() if v is not None})
    except ValueError as exc:
        raise ReportError(str(exc)) from None


def cache_dir() -> Path | None:
    """Where results are cached on disk (``None`` disables the disk cache).

    ``$FINSAM_CACHE_DIR`` (empty string: no disk cache), else ``.finsam-cache``
    in a source checkout, else ``~/.cache/finsam``.
    """
    env = os.environ.get("FINSAM_CACHE_DIR")
    if env is not None:
        return Path(env) if env.strip() else None
    if (REPO_ROOT / "pyproject.toml").is_file():
        return REPO_ROOT / ".finsam-cache"
    return Path.home() / ".cache" / "finsam"


_FILE_HASHES: dict[tuple, str] = {}


def _file_hash(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    h = _FILE_HASHES.get(key)
    if h is None:
        h = hashlib.sha256(path.read_bytes()).hexdigest()
        _FILE_HASHES[key] = h
    return h


def _tree_hash(path: Path) -> str:
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file()
                                                  and p.suffix in (".csv", ".toml", ".xlsx"))
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode())
        digest.update(_file_hash(f).encode())
    return digest.hexdigest()


def data_fingerprint(path: Path) -> str:
    """Hash of a data directory's (or workbook's) content and of the catalogue."""
    return hashlib.sha256((_tree_hash(Path(path)) + _tree_hash(CATALOG_DIR)).encode()).hexdigest()


def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in _CODE_FILES:
        f = PACKAGE_DIR / name
        if f.is_file():
            digest.update(_file_hash(f).encode())
    return digest.hexdigest()


_MEMORY: dict[str, tuple[Dataset, Results]] = {}


def load_results(data_dir="", settings: Settings | None = None) -> tuple[Dataset, Results]:
    """The dataset and all its statistics, cached (memory, then disk, then computed).

    Parameters
    ----------
    data_dir : str or Path
        Data directory or workbook; empty means the demo data.
    settings : Settings, optional
        Default: :func:`make_settings` with its defaults.
    """
    path = resolve_data_dir(data_dir)
    settings = settings or make_settings()
    key = hashlib.sha256(
        "|".join((data_fingerprint(path), settings.fingerprint(), _code_fingerprint())).encode()
    ).hexdigest()[:32]
    hit = _MEMORY.get(key)
    if hit is not None:
        return hit
    directory = cache_dir()
    cache_file = directory / f"results-{key}.pkl" if directory else None
    if cache_file is not None and cache_file.is_file():
        try:
            with open(cache_file, "rb") as fh:
                hit = pickle.load(fh)
        except Exception:  # a broken or incompatible entry: recompute
            hit = None
    if hit is None:
        dataset = load_dataset(path)
        hit = (dataset, compute_all(dataset, settings))
        if cache_file is not None:
            try:
                atomic_write_bytes(cache_file, pickle.dumps(hit, protocol=pickle.HIGHEST_PROTOCOL))
            except OSError:
                pass  # the disk cache is optional
    if len(_MEMORY) >= 4:
        _MEMORY.pop(next(iter(_MEMORY)))
    _MEMORY[key] = hit
    return hit


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------
def _count(n: int) -> str:
    """A count in a generated sentence.

    One rule for every generated text: counts are written in digits (as in the
    NNS reports, "Hos 9 av 14 indikatorer"), since the sentences compare counts
    with each other. Sentences are built so that a count of zero is left out
    rather than written.
    """
    return fmt.integer(n)


def _n(n: int, singular: str, plural: str) -> str:
    """A count with its noun: ``1 indikator``, ``3 indikatorer``."""
    return f"{_count(n)} {singular if int(n) == 1 else plural}"


def _margin_text(settings: Settings) -> str:
    """The NNS margin in points as written in the text (``2`` or ``2,5``)."""
    return fmt.number(settings.margin_pp, 1 if settings.margin_pp % 1 else 0)


def _significant(items, kind: str) -> tuple[list, list]:
    """Split ``(indicator, row)`` items into significant increases and decreases.

    ``kind`` is ``"national"`` or ``"previous"`` (the comparison's column suffix).
    """
    sig = [x for x in items if _true(x[1].get(f"signif_{kind}"))]
    return [x for x in sig if x[1][f"diff_{kind}"] > 0], [x for x in sig if x[1][f"diff_{kind}"] < 0]


def _md_escape(text: str) -> str:
    """Escape Markdown emphasis characters (the significance mark is an asterisk)."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def _md(text: str) -> Markdown:
    return Markdown(text)


def _true(x) -> bool:
    return tables._true(x)


def _shown(row) -> bool:
    return tables.shown(row)


def _short_name(full: str) -> str:
    """Förbund name without the common prefix (for narrow tables and figures)."""
    for prefix in ("Samordningsförbundet i ", "Samordningsförbundet "):
        if full.startswith(prefix):
            return full[len(prefix):]
    return full


def _period(year: int) -> str:
    if year == 2017:
        return "den första nationella mätningen, hösten 2017"
    return f"mätperioden 1 november {year - 1} – 31 oktober {year}"


def _rows_by(df: pd.DataFrame, *keys) -> dict:
    """Map key tuple (or single key) → row Series."""
    out = {}
    for _i, row in df.iterrows():
        k = tuple(row[c] for c in keys)
        out[k[0] if len(k) == 1 else k] = row
    return out


@dataclass(frozen=True)
class _Indicator:
    number: int
    name: str
    short: str
    questionnaire: bool
    first_year: int | None
    note: str


class _CatalogView:
    """Catalogue look-ups used by the reports."""

    def __init__(self, catalog: Catalog) -> None:
        self.cat = catalog
        ind = catalog.indicators.sort_values("indicator")
        self.indicators = [
            _Indicator(int(r.indicator), r.name, r.short_name, bool(r.questionnaire),
                       None if pd.isna(r.first_year) else int(r.first_year), r.note or "")
            for r in ind.itertuples()
        ]
        g = catalog.groups.set_index("group")
        self.group_name = dict(g["name"])
        self.group_short = dict(g["short_name"])
        self.participant = {k: bool(v) for k, v in g["participant"].items()}
        self.question_group = {}
        for qid, grp in zip(catalog.questions["question"], catalog.questions["group"]):
            self.question_group.setdefault(str(qid), str(grp))
        self.group_order = {k: int(v) for k, v in g["order"].items()}
        self._qsets: dict[tuple[int, int], frozenset] = {}

    def questions(self, indicator: int, year: int) -> pd.DataFrame:
        q = self.cat.questions_in(year)
        return q.loc[q["indicator_list"].map(lambda xs: indicator in xs)]

    def question_set(self, indicator: int, year: int) -> frozenset:
        key = (indicator, year)
        if key not in self._qsets:
            self._qsets[key] = frozenset(self.questions(indicator, year)["question"])
        return self._qsets[key]

    def version_set(self, indicator: int, year: int) -> frozenset:
        """``question@version`` of the indicator's questions: a reworded question counts as a change (issue 15)."""
        q = self.questions(indicator, year)
        return frozenset(q["question"] + "@" + q["version"].astype(str))

    def breaks(self, indicator: int, years) -> tuple:
        """Years whose question set differs from the year before (both non-empty)."""
        out = []
        ys = sorted(years)
        for a, b in zip(ys, ys[1:]):
            if b != a + 1:
                continue
            qa, qb = self.version_set(indicator, a), self.version_set(indicator, b)
            if qa and qb and qa != qb:
                out.append(b)
        return tuple(out)

    def has_gender(self, indicator: int, year: int) -> bool:
        """Does the indicator have questions to groups with a gender variable that year?"""
        groups = self.cat.questions.set_index("question")["group"]
        return any(self.participant.get(groups[q] if isinstance(groups[q], str) else groups[q].iloc[0], False)
                   for q in self.question_set(indicator, year))

    def class_definitions(self) -> list[str]:
        """Sentences defining the answer classes per scale (from the catalogue)."""
        out = []
        names = {"frekvens": "Frekvensskalan", "omfattning": "Omfattningsskalan", "janej": "Ja/nej-frågor"}
        for scale, rows in self.cat.scales.groupby("scale", sort=True):
            by: dict[str, list[str]] = {}
            rows = rows.sort_values("code")
            for cls, label in zip(rows["class"], rows["label"]):
                by.setdefault(cls, []).append(label.lower())
            if scale == "janej":
                out.append("Ja/nej-frågor: nyckeltalet är andelen ja.")
                continue
            neg = fmt.join_list(by.get("negative", []))
            neu = fmt.join_list(by.get("neutral", []))
            cp = by.get("clearly_positive", [])
            pos = by.get("positive", []) + cp
            out.append(
                f"{names.get(scale, scale)}: negativt = {neg}; varken eller = {neu}; "
                f"positivt = {fmt.join_list(pos)}; klart positivt = {fmt.join_list(cp)}."
            )
        return out


_CATALOG_VIEWS: dict[str, _CatalogView] = {}


def _catalog_view() -> _CatalogView:
    cat = load_catalog()
    key = str(cat.directory)
    if key not in _CATALOG_VIEWS:
        _CATALOG_VIEWS[key] = _CatalogView(cat)
    return _CATALOG_VIEWS[key]


class _Base:
    """Shared state of the three report kinds."""

    def __init__(self, data_dir, settings: Settings) -> None:
        self.settings = settings
        self.dataset, self.results = load_results(data_dir, settings)
        self.cv = _catalog_view()

    # reason texts for the current settings
    def reason(self, code) -> str:
        if not isinstance(code, str) or not code:
            return "visas inte"
        return _SHORT_REASON.get(code, code).format(min_n=self.settings.min_n)

    def long_reason(self, code) -> str:
        return reason_text(code, self.settings) if isinstance(code, str) and code else ""

    def notice(self) -> list:
        """The synthetic-data callout (empty for real data)."""
        if not self.dataset.synthetic:
            return []
        return [_md(f"::: {{.callout-warning}}\n## {SYNTHETIC_NOTICE_TITLE}\n\n"
                    f"{SYNTHETIC_NOTICE_TEXT}\n:::")]

    def forbund_label(self, fid: str) -> str:
        return _short_name(self.dataset.forbund_name(fid))

    def about(self) -> list:
        """Om siffrorna: method and small-n rules in plain Swedish."""
        return [_md(_method_text(self.settings, self.cv))]


# ---------------------------------------------------------------------------
# The förbund × year report
# ---------------------------------------------------------------------------
def _check_forbund_year(dataset: Dataset, results: Results, forbund, year) -> tuple[str, int]:
    fid = str(forbund).strip()
    known = sorted(set(dataset.forbund["forbund"].astype(str)) | set(dataset.responses["forbund"].astype(str)))
    if fid not in known:
        listing = ", ".join(known)
        raise ReportError(f"Okänt förbund {fid!r} i {dataset.source}. Förbund som finns: {listing}.")
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ReportError(f"Ogiltigt år {year!r}: ange ett årtal, t.ex. 2023.") from None
    years = sorted(int(v) for v in results.question.loc[results.question["forbund"] == fid, "year"].unique())
    if y not in years:
        name = dataset.forbund_name(fid)
        have = ", ".join(str(v) for v in years) or "inga"
        raise ReportError(f"{name} ({fid}) har inga data för {y}. År med data för förbundet: {have}.")
    return fid, y


def forbund_report(forbund, year, data_dir="", **settings) -> "ForbundReport":
    """The report of one förbund and year (raises :class:`ReportError` on bad parameters)."""
    return ForbundReport(forbund, year, data_dir, make_settings(**settings))


class ForbundReport(_Base):
    """Sections of ``notebooks/forbund.ipynb``; each method returns displayables."""

    def __init__(self, forbund, year, data_dir, settings: Settings) -> None:
        super().__init__(data_dir, settings)
        self.forbund, self.year = _check_forbund_year(self.dataset, self.results, forbund, year)
        self.prev_year = self.year - 1
        self.name = self.dataset.forbund_name(self.forbund)
        r = self.results
        self.q = r.questions(self.year, self.forbund)
        self.ind_all = r.indicators(self.year, self.forbund, group=None)
        self.ind = self.ind_all.loc[self.ind_all["group"] == ALL_GROUPS]
        self.ind_rows = _rows_by(self.ind, "indicator", "gender")
        self.resp = r.responses(self.year, self.forbund)
        self.resp_nat = r.responses(self.year, NATIONAL)
        prev = r.responses(self.prev_year, self.forbund) if self.prev_year in set(r.response["year"]) else None
        self.resp_prev = prev if prev is not None and len(prev) else None
        fq = r.question.loc[r.question["forbund"] == self.forbund, "year"]
        #: Has the förbund data the year before? Without it no previous-year wording or column at all.
        self.has_prev = bool((fq == self.prev_year).any())
        self.first_data_year = int(r.question["year"].min())
        #: The comparison year, or None when the förbund has no data the year before.
        self.cmp_year = self.prev_year if self.has_prev else None
        prev_ind = r.indicators(self.prev_year, self.forbund) if self.has_prev else self.ind.iloc[0:0]
        self.prev_ind_rows = _rows_by(prev_ind.loc[prev_ind["group"] == ALL_GROUPS], "indicator", "gender")

    def no_previous_text(self) -> str:
        """Why there is no previous-year comparison at all (empty when there is one)."""
        if self.has_prev:
            return ""
        if self.year <= FIRST_NATIONAL_YEAR:
            why = f"{self.year} var den första nationella mätningen"
        elif self.year == self.first_data_year:
            why = f"uppgifterna börjar {self.year}"
        else:
            why = f"förbundet deltog inte {self.prev_year}"
        return f"Jämförelse med föregående år saknas ({why})."

    def indicator_reason(self, ind: int, view: str) -> str:
        """Short reason of a withheld indicator cell, resolving ``no_published`` (mixed reasons).

        When all the indicator's question cells are withheld for different
        reasons, say "för få svar" (or "för få per kön") if every reason is a
        small-n rule, else name the disclosure protection. Empty for a shown cell.
        """
        row = self.ind_rows.get((ind, view))
        if row is None or _shown(row):
            return ""
        code = row.get("reason")
        if code != "no_published":
            return self.reason(code)
        q = self.q.loc[(self.q["gender"] == view) & self.q["withheld"].astype(bool)
                       & self.q["indicator"].astype(str).str.split("|").map(lambda xs: str(ind) in xs)]
        reasons = set(q["reason"].astype(str))
        if reasons and reasons <= {"no_answers", "min_n", "gender_min_n"}:
            return self.reason("gender_min_n" if "gender_min_n" in reasons else "min_n").split(" (")[0]
        return self.reason(code)

    def trend_note(self, ind: int, view: str) -> str:
        """Why a shown overview cell has no previous-year arrow (empty when it has one or none is expected)."""
        row = self.ind_rows.get((ind, view))
        if not self.has_prev or not _shown(row) or not fmt.is_missing(row.get("diff_previous")):
            return ""
        prev = self.prev_ind_rows.get((ind, view))
        if prev is None:
            why = "inga svar då"
        elif not _shown(prev):
            why = "resultatet dolt då"
        elif self.year in self.cv.breaks(ind, [self.prev_year, self.year]):
            why = "frågorna ändrades"
        else:
            def groups(r):
                return {self.cv.question_group.get(q, q) for q in str(r.get("questions", "")).split("|") if q}
            why = "andra grupper" if groups(row) != groups(prev) else "andra frågor"
        return f"ingen jämförelse med {self.prev_year} ({why})"

    # -- Sammanfattning ------------------------------------------------------------
    def _comparable(self):
        """Indicators with a shown total and a national comparison: list of (ind, row)."""
        out = []
        for ind in self.cv.indicators:
            row = self.ind_rows.get((ind.number, "alla"))
            if _shown(row) and not fmt.is_missing(row.get("diff_national")):
                out.append((ind, row))
        return out

    def _volume_text(self) -> str:
        resp = self.resp.set_index("group")
        total = resp.loc["totalt"] if "totalt" in resp.index else None
        groups = [g for g in resp.index if g not in ("totalt", "deltagare_totalt")]
        parts = []
        for g in groups:
            r = resp.loc[g]
            parts.append(f"{self.cv.group_name.get(g, g).lower()} {fmt.integer(r['answered'])} "
                         f"({fmt.pct(r['response_rate'])})")
        text = (f"{self.name} deltog i mätningen {self.year} ({_period(self.year)}) med enkäter till "
                f"{_n(len(groups), 'respondentgrupp', 'respondentgrupper')}. ")
        if total is not None:
            text += (f"Totalt kom {fmt.integer(total['answered'])} enkäter in av {fmt.integer(total['asked'])} "
                     f"tillfrågade, en svarsfrekvens på {fmt.pct(total['response_rate'])}")
            if self.resp_prev is not None:
                prev_total = self.resp_prev.set_index("group").loc["totalt", "answered"]
                text += f" ({fmt.integer(prev_total)} enkäter {self.prev_year})"
            text += ". "
        text += "Antal enkätsvar (svarsfrekvens) per grupp: " + fmt.join_list(parts) + "."
        return text

    def overview_table(self) -> tables.HTMLTable:
        items = []
        for ind in self.cv.indicators:
            item = {"indicator": ind.number, "name": ind.short}
            if not ind.questionnaire:
                item["note"] = ind.note or "Ingår inte i enkäterna."
            elif ind.first_year is not None and self.year < ind.first_year:
                item["note"] = f"Ingår i enkäterna från {ind.first_year}."
            else:
                item["rows"] = {v: self.ind_rows.get((ind.number, v)) for v in VIEWS}
                gender = self.cv.has_gender(ind.number, self.year)
                item["applicable"] = {"alla": True, "kvinna": gender, "man": gender}
                item["trend_notes"] = {v: self.trend_note(ind.number, v) for v in VIEWS}
                item["reason_texts"] = {v: self.indicator_reason(ind.number, v) for v in VIEWS}
            items.append(item)
        html = tables.overview_table(items, list(VIEWS), self.cmp_year, self.reason)
        return tables.HTMLTable(html, f"Översikt {self.name} {self.year}")

    def _overview_legend(self) -> str:
        m = _margin_text(self.settings)
        arrow = (f"Pilen visar förändringen mot {self.prev_year} med samma marginal. " if self.has_prev else "")
        return (
            f"*Nyckeltal = andel klart positiva svar (ja för ja/nej-frågor) med "
            f"{fmt.level(self.settings.confidence)} konfidensintervall inom parentes. ”Högre”/”Lägre” följer "
            f"NNS regel: mer än {m} procentenheter (p.e.) från rikssnittet. ”Säkerställd” (fet stil) betyder att "
            f"skillnaden mot resten av landet är större än den slumpmässiga osäkerheten. {arrow}"
            f"{tables.CAVEAT_MARK} = litet underlag (färre än {self.settings.caution_n} svar): tolka med "
            "försiktighet.*"
        )

    def _sentences(self) -> str:
        """Summary sentences in the style of 000, counting differences beyond noise separately.

        Counts are digits throughout (see :func:`_count`); zero counts are left out.
        """
        comp = self._comparable()
        total = len(comp)
        m = _margin_text(self.settings)

        def names(items):
            return fmt.join_list(f"{i.number} {i.short}" for i, _r in items)

        text = []
        if total == 0:
            text.append("Inga indikatorer har tillräckligt många svar för en jämförelse med rikssnittet.")
        else:
            order = (("Högre", "högre"), ("Lägre", "lägre"), ("Varken högre eller lägre", "varken högre eller lägre"))
            count = {k: sum(r["national_label"] == k for _i, r in comp) for k, _w in order}
            lead, lead_word = next((k, w) for k, w in order if count[k])
            rest = [f"i {_count(count[k])} {w}" for k, w in order if k != lead and count[k]]
            text.append(
                f"Hos {_count(count[lead])} av {_n(total, 'indikator', 'indikatorer')} ligger förbundet "
                f"{lead_word} än rikssnittet"
                + ((" och " if len(rest) == 1 else ", ") + fmt.join_list(rest) if rest else "")
                + f" (NNS marginal ±{m} p.e.)."
            )
            up, down = _significant(comp, "national")
            if not up and not down:
                text.append("Ingen av skillnaderna mot rikssnittet är säkerställd: alla ryms inom den slumpmässiga "
                            "osäkerheten.")
            else:
                bits = []
                if up:
                    bits.append(f"högre i {_count(len(up))} ({names(up)})")
                if down:
                    bits.append(f"lägre i {_count(len(down))} ({names(down)})")
                other = total - len(up) - len(down)
                rest_text = ""
                if other == 1:
                    rest_text = " Den övriga skillnaden kan bero på slumpen."
                elif other > 1:
                    rest_text = f" Övriga {_count(other)} skillnader kan bero på slumpen."
                text.append("Säkerställt, det vill säga större än den slumpmässiga osäkerheten, är resultatet "
                            + fmt.join_list(bits) + "." + rest_text)
        if self.has_prev:
            text.append(self._previous_sentence(m, names))
        # Gender
        gender_bits = []
        for v, word, plural in (("kvinna", "Kvinnornas", "kvinnor"), ("man", "Männens", "män")):
            rows = [(i, self.ind_rows.get((i.number, v))) for i in self.cv.indicators]
            rows = [(i, r) for i, r in rows if _shown(r) and not fmt.is_missing(r.get("diff_national"))]
            if not rows:
                continue
            counts = [(w, sum(r["national_label"] == k for _i, r in rows)) for k, w in (
                ("Högre", "högre"), ("Lägre", "lägre"), ("Varken högre eller lägre", "varken högre eller lägre"))]
            sig = sum(_true(r.get("signif_national")) for _i, r in rows)
            sig_text = ("ingen skillnad är säkerställd" if sig == 0
                        else f"{_n(sig, 'skillnad', 'skillnader')} är {'säkerställd' if sig == 1 else 'säkerställda'}")
            gender_bits.append(
                f"{word} resultat jämförs med rikssnittet för {plural} i "
                f"{_n(len(rows), 'indikator', 'indikatorer')}: "
                + fmt.join_list(f"{w} i {_count(c)}" for w, c in counts if c) + f"; {sig_text}."
            )
        if gender_bits:
            text.extend(gender_bits)
        else:
            text.append("Resultat för kvinnor och män redovisas inte separat: för få svar per kön.")
        return " ".join(text)

    def _previous_sentence(self, m: str, names) -> str:
        """The previous-year sentence (only when the förbund has data the year before)."""
        trend, missing = [], 0
        for ind in self.cv.indicators:
            r = self.ind_rows.get((ind.number, "alla"))
            if not _shown(r):
                continue
            if fmt.is_missing(r.get("diff_previous")):
                missing += 1
            else:
                trend.append((ind, r))
        if not trend:
            return (f"Inga resultat kan jämföras med {self.prev_year} (skälet står i tabellen), så förändringen "
                    "mot föregående år redovisas inte.")
        ups = sum(r["trend"] == "↑" for _i, r in trend)
        downs = sum(r["trend"] == "↓" for _i, r in trend)
        flat = len(trend) - ups - downs
        of = _n(len(trend), "jämförbar indikator", "jämförbara indikatorer")
        parts = ([f"ökat i {_count(ups)}"] if ups else []) + ([f"minskat i {_count(downs)}"] if downs else [])
        if not parts:
            s = (f"Jämfört med {self.prev_year} ligger förändringen inom ±{m} p.e. i "
                 + ("den enda jämförbara indikatorn." if len(trend) == 1 else f"alla {of}."))
        else:
            s = f"Jämfört med {self.prev_year} har resultatet {fmt.join_list(parts)} av {of}"
            s += f"; i {_count(flat)} ligger förändringen inom ±{m} p.e." if flat else "."
        sig_up, sig_down = _significant(trend, "previous")
        if not sig_up and not sig_down:
            s += " Ingen av förändringarna är säkerställd."
        else:
            bits = []
            if sig_up:
                bits.append(f"ökningen i {names(sig_up)}")
            if sig_down:
                bits.append(f"minskningen i {names(sig_down)}")
            s += " Säkerställd är " + fmt.join_list(bits) + "."
        if missing:
            s += (f" För {_n(missing, 'indikator', 'indikatorer')} med resultat i år saknas jämförelse med "
                  f"{self.prev_year}; skälet står i tabellen.")
        return s

    def summary(self) -> list:
        """Sammanfattning: volumes, the overview table, the sentences."""
        return [
            _md(self._volume_text()),
            _md(f"**Tabell 1.** Nyckeltal per indikator {self.year}, jämfört med rikssnittet"
                + (f" och med {self.prev_year}." if self.has_prev else f". {self.no_previous_text()}")),
            self.overview_table(),
            _md(self._overview_legend()),
            _md(self._sentences()),
        ]

    # -- per indicator ---------------------------------------------------------------
    def _question_blocks(self, ind: int):
        """(title, yesno, rows, bar rows) per question × group of an indicator."""
        q = self.q.loc[self.q["indicator"].astype(str).str.split("|").map(lambda xs: str(ind) in xs)]
        q = q.sort_values(["group_order", "number", "question"], kind="mergesort")
        blocks = []
        for (group, qid), cell in q.groupby(["group", "question"], sort=False):
            views = _rows_by(cell, "gender")
            alla = views.get("alla")
            first = cell.iloc[0]
            title = f"{self.cv.group_name.get(group, group)}, fråga {int(first['number'])}: {first['text']}"
            short = f"{self.cv.group_short.get(group, group)} F{int(first['number'])}"
            yesno = first["scale"] == "janej"
            rows = [("alla", alla, alla.get("reason") if alla is not None else "no_answers")]
            if self.cv.participant.get(group, False) and _shown(alla):
                k, m = views.get("kvinna"), views.get("man")
                if not _shown(k) and not _shown(m) and k is not None and m is not None \
                        and k.get("reason") == m.get("reason"):
                    rows.append(("Kvinnor, män", None, k.get("reason")))
                else:
                    for v, r in (("kvinna", k), ("man", m)):
                        rows.append((v, r, r.get("reason") if r is not None else "no_answers"))
            blocks.append((title, short, yesno, rows))
        return blocks

    def _bar_rows(self, blocks):
        bars, alt = [], []
        for _title, short, yesno, rows in blocks:
            for view, row, code in rows:
                if view not in VIEWS:
                    continue
                label = short if view == "alla" else f"{short} {_VIEW_WORD[view]}"
                if not _shown(row):
                    if view == "alla":
                        bars.append(figures.BarRow(label, yesno, None, note=self.reason(code)))
                        alt.append(f"{label}: {self.reason(code)}")
                    continue
                if yesno:
                    shares = {"yes": row["yes"], "no": 1 - row["yes"]}
                    desc = f"ja {fmt.pct(row['yes'])}"
                else:
                    shares = {"clearly_positive": row["clearly_positive"],
                              "positive_other": row["positive"] - row["clearly_positive"],
                              "neutral": row["neutral"], "negative": row["negative"]}
                    desc = (f"klart positivt {fmt.pct(row['clearly_positive'])}, positivt "
                            f"{fmt.pct(row['positive'])}, negativt {fmt.pct(row['negative'])}")
                national = None if fmt.is_missing(row.get("national")) else float(row["national"])
                desc += f", {fmt.n_label(row['n'])}"
                if national is not None:
                    desc += f", rikssnitt {fmt.pct(national)}"
                bars.append(figures.BarRow(label, yesno, shares, (float(row["ci_low"]), float(row["ci_high"])),
                                           national))
                alt.append(f"{label}: {desc}")
        return bars, alt

    def _indicator_section(self, ind: _Indicator) -> list:
        out = [_md(f"### {ind.number}. {ind.short}\n\n*{ind.name}.*")]
        if not ind.questionnaire:
            out.append(_md(f"Indikatorn {ind.note[:1].lower() + ind.note[1:] if ind.note else 'ingår inte i enkäterna.'}"))
            return out
        if ind.first_year is not None and self.year < ind.first_year:
            out.append(_md(f"Indikatorn ingår i enkäterna från {ind.first_year}; för {self.year} finns inga data."))
            return out
        if self.year in self.cv.breaks(ind.number, [self.year - 1, self.year]):
            since = f"{self.prev_year} eller tidigare år" if self.has_prev else "tidigare år"
            out.append(_md(f"*Frågorna ändrades {self.year}: resultaten kan inte jämföras med {since}.*"))
        elif ind.first_year == self.year and ind.note:
            out.append(_md(f"*{ind.note}*"))
        blocks = self._question_blocks(ind.number)
        if not blocks:
            out.append(_md(f"Förbundet har inga svar på indikatorns frågor {self.year}."))
            return out
        used_sig = used_cav = False
        for yesno in (False, True):
            part = [(t, rows) for t, _s, y, rows in blocks if y == yesno]
            if not part:
                continue
            table_rows = [[(v, r, c) for v, r, c in rows] for _t, rows in part]
            for rows in table_rows:
                for _v, r, _c in rows:
                    if _shown(r):
                        used_sig |= _true(r.get("signif_national")) or _true(r.get("signif_previous"))
                        used_cav |= bool(r.get("caveat"))
            html = tables.question_table(part, yesno=yesno, prev_year=self.cmp_year, reason=self.long_reason,
                                         confidence=self.settings.confidence)
            out.append(tables.HTMLTable(html, f"Indikator {ind.number}"))
        notes = []
        if used_sig:
            notes.append(f"{_md_escape(tables.SIGNIF_MARK)} säkerställd skillnad")
        if used_cav:
            notes.append(f"{tables.CAVEAT_MARK} litet underlag (färre än {self.settings.caution_n} svar)")
        if notes:
            out.append(_md("*" + "; ".join(notes) + ".*"))
        bars, alt = self._bar_rows(blocks)
        if bars:
            caption = (f"Indikator {ind.number}: svarsfördelning per fråga och grupp {self.year}. Linjen visar "
                       f"nyckeltalets {fmt.level(self.settings.confidence)} konfidensintervall, romben rikssnittet.")
            alt_text = (f"Liggande staplar, indikator {ind.number}, {self.name} {self.year}. " + "; ".join(alt) + ".")
            out.append(figures.class_bars(bars, caption=caption, alt=alt_text, confidence=self.settings.confidence))
        return out

    def indicator_intro(self) -> list:
        """The introduction of "Resultat per indikator" (names the previous-year column only when shown)."""
        change = (f", rikssnittet och förändringen sedan {self.prev_year}" if self.has_prev else " och rikssnittet")
        return [_md(
            "Tabellerna visar för varje fråga och respondentgrupp andelen negativa svar, varken eller och positiva "
            f"svar (klart positiva inom parentes), nyckeltalets {fmt.level(self.settings.confidence)} "
            f"konfidensintervall{change}. Kvinnor och män visas separat när reglerna för få svar tillåter det. "
            "Diagrammen visar samma fördelning som staplar."
        )]

    def indicator_sections(self) -> list[list]:
        """One list of displayables per indicator 1–16."""
        return [self._indicator_section(ind) for ind in self.cv.indicators]

    # -- Utveckling över tid ------------------------------------------------------------
    def trend(self) -> list:
        allind = self.results.indicator
        sel = allind.loc[(allind["forbund"] == self.forbund) & (allind["group"] == ALL_GROUPS)
                         & (allind["gender"] == "alla") & (allind["year"] <= self.year)]
        nat = allind.loc[(allind["forbund"] == NATIONAL) & (allind["group"] == ALL_GROUPS)
                         & (allind["gender"] == "alla") & (allind["year"] <= self.year)]
        years = sorted(int(y) for y in sel["year"].unique())
        if len(years) < 2:
            return [_md(f"{self.name} har data bara för {self.year}; utvecklingen över tid visas när det finns "
                        "fler mätår.")]
        panels, table_items, breaks_all = [], [], []
        for ind in self.cv.indicators:
            rows = sel.loc[sel["indicator"] == ind.number]
            if rows.empty:
                continue
            shown_rows = rows.loc[~rows["withheld"].astype(bool)]
            pts = [(int(r["year"]), float(r["key_share"]), float(r["ci_low"]), float(r["ci_high"]))
                   for _i, r in shown_rows.iterrows()]
            nrows = nat.loc[(nat["indicator"] == ind.number) & (nat["year"] >= years[0])
                            & ~nat["withheld"].astype(bool)]
            natp = [(int(r["year"]), float(r["key_share"])) for _i, r in nrows.iterrows()]
            brk = self.cv.breaks(ind.number, years)
            breaks_all += [(ind.number, b) for b in brk]
            if pts:
                panels.append(figures.TrendPanel(f"{ind.number} {ind.short}", pts, natp, brk))
            by_year = {}
            for _i, r in rows.iterrows():
                y = int(r["year"])
                by_year[y] = (self.reason(r["reason"]) if _true(r["withheld"]) else fmt.pct(r["key_share"]))
                if y in brk:
                    by_year[y] = "| " + by_year[y]
            table_items.append((ind.number, ind.short, by_year))
        out = []
        if panels:
            caption = (f"Nyckeltal per indikator {years[0]}–{years[-1]} med {fmt.level(self.settings.confidence)} "
                       "konfidensintervall (blå) och rikssnittet (prickat)."
                       + (" Streckad röd linje: frågorna ändrades." if figures.has_breaks(panels) else ""))
            alt = (f"Små diagram, ett per indikator, med {self.name}s nyckeltal {years[0]}–{years[-1]} och "
                   f"rikssnittet. Värdena finns i tabellen under diagrammet.")
            out.append(figures.trend_grid(panels, years, caption=caption, alt=alt,
                                          confidence=self.settings.confidence))
        out.append(_md(f"**Tabell.** Nyckeltal per indikator och år, {self.name}."
                       + (" ”|” markerar att frågorna ändrades det året (ingen jämförelse med året före)."
                          if breaks_all else "")))
        out.append(tables.HTMLTable(tables.trend_table(table_items, years), "Utveckling"))
        return out

    # -- Svarsfrekvens och bortfall ----------------------------------------------------
    def response(self) -> list:
        resp = self.resp
        nat = {r["group_name"]: r["response_rate"] for _i, r in self.resp_nat.iterrows()}
        rows = []
        for _i, r in resp.iterrows():
            bold = r["group"] in ("deltagare_totalt", "totalt")
            rows.append((r["group_name"], r, bold))
        out = [
            _md(f"**Tabell.** Tillfrågade, bortfall och svar per respondentgrupp {self.year}, {self.name} "
                "jämfört med riket. Bortfall = tillfrågade som inte svarat (inklusive ej nåbara). En enkät räknas "
                "som besvarad om minst en fråga är besvarad."),
            tables.HTMLTable(tables.response_table(rows, nat), "Svarsfrekvens"),
        ]
        part = [(r["group_name"], r) for _i, r in resp.iterrows()
                if self.cv.participant.get(r["group"], False) or r["group"] == "deltagare_totalt"]
        if part:
            out.append(_md("**Tabell.** Deltagarnas enkätsvar efter bakgrundsvariabeln kön."))
            out.append(tables.HTMLTable(tables.gender_answers_table(part), "Kön"))
        return out

    # -- Om siffrorna ---------------------------------------------------------------------
    def about(self) -> list:
        return [_md(_method_text(self.settings, self.cv)), _md(self._withheld_text())]

    def withheld_cells(self) -> pd.DataFrame:
        """This report's withheld question cells (implied ones left out, see module doc)."""
        q = self.q.loc[self.q["withheld"].astype(bool)]
        keep = []
        alla_withheld = set(self.q.loc[(self.q["gender"] == "alla") & self.q["withheld"].astype(bool),
                                       "question"].astype(str))
        for _i, r in q.iterrows():
            if r["gender"] != "alla":
                if not self.cv.participant.get(r["group"], False) or str(r["question"]) in alla_withheld:
                    continue
            keep.append(r)
        return pd.DataFrame(keep)

    def _withheld_text(self) -> str:
        w = self.withheld_cells()
        if w.empty:
            return "**Dolda uppgifter i den här rapporten:** inga."
        lines = ["**Dolda uppgifter i den här rapporten**, efter skäl:", ""]
        for code, cells in w.groupby("reason", sort=True):
            items = {}
            for _i, r in cells.iterrows():
                key = f"{self.cv.group_name.get(r['group'], r['group'])} fråga {int(r['number'])}"
                items.setdefault(key, []).append(_VIEW_WORD[r["gender"]])
            desc = "; ".join(f"{k} ({', '.join(v)})" for k, v in items.items())
            lines.append(f"- {self.long_reason(code)} Gäller: {desc}.")
        return "\n".join(lines)

    # -- check summary (nbval) -------------------------------------------------------------
    def check_summary(self) -> str:
        """A compact deterministic summary (compared by nbval and the tests)."""
        comp = self._comparable()
        lab = [r["national_label"] for _i, r in comp]
        sig_up = sum(_true(r.get("signif_national")) and r["diff_national"] > 0 for _i, r in comp)
        sig_dn = sum(_true(r.get("signif_national")) and r["diff_national"] < 0 for _i, r in comp)
        shown_all = [self.ind_rows.get((i.number, "alla")) for i in self.cv.indicators]
        trends = [r["trend"] for r in shown_all if _shown(r) and isinstance(r.get("trend"), str)]
        return (
            f"{self.forbund} {self.year}: {sum(_shown(r) for r in shown_all)} indikatorer med resultat; "
            f"mot riket {lab.count('Högre')} högre ({sig_up} säkerställt), {lab.count('Lägre')} lägre "
            f"({sig_dn} säkerställt), {lab.count('Varken högre eller lägre')} varken; "
            + (f"mot {self.prev_year} ↑{trends.count('↑')} →{trends.count('→')} ↓{trends.count('↓')}; "
               if self.has_prev else "ingen jämförelse med föregående år; ")
            + f"{len(self.withheld_cells())} dolda celler"
        )


_TREND_BASIS_TEXT = {"positive": "andelen positiva svar (ja för ja/nej-frågor), som i NNS rapporter",
                     "key": "nyckeltalet (klart positiva, ja för ja/nej-frågor)"}


def _method_text(settings: Settings, cv: _CatalogView) -> str:
    conf = fmt.level(settings.confidence)
    m = _margin_text(settings)
    ex_n, ex_share = 20, 0.5  # an illustration, not a rule
    (ex_low,), (ex_high,) = proportion_ci(ex_n * ex_share, ex_n, settings.ci_method, settings.confidence)
    lines = [
        "**Nyckeltal.** Nyckeltalet är andelen klart positiva svar, eller andelen ja för ja/nej-frågor, som i NNS "
        "nationella rapport. Svarsalternativen delas in så här:",
        "",
        *[f"- {s}" for s in cv.class_definitions()],
        "",
        f"**Osäkerhet.** Varje andel redovisas med ett {conf} konfidensintervall enligt "
        f"{_CI_METHOD_TEXT.get(settings.ci_method, settings.ci_method)}. Med få svar blir intervallet brett: vid "
        f"{ex_n} svar och {fmt.pct(ex_share)} klart positiva sträcker det sig ungefär från {fmt.pct(ex_low)} till "
        f"{fmt.pct(ex_high)}.",
        "",
        f"**Jämförelser.** ”Högre” och ”Lägre” följer NNS regel: skillnaden mot rikssnittet, avrundad till en "
        f"decimal som den visas, är större än {m} procentenheter; pilarna ↑ → ↓ jämför på samma sätt med "
        f"förbundets resultat året före, räknat på {_TREND_BASIS_TEXT[settings.trend_basis]}. En skillnad kallas "
        f"*säkerställd* när {conf} konfidensintervallet för skillnaden (Newcombes metod) inte innehåller noll. "
        "Förbundet jämförs då med resten av landet, det vill säga riket utan förbundet självt. Jämförelsen mot "
        "föregående år görs bara för samma fråga med samma formulering; omformulerades frågan görs ingen "
        "jämförelse.",
        "",
        "**Indikatorer.** En indikators nyckeltal slår ihop de redovisade svaren på indikatorns nyckelfrågor "
        "(samma svarsklass; följdfrågor och frågor på en annan skala redovisas bredvid). Eftersom samma personer "
        "svarar på flera frågor beräknas intervallet med Kishs effektiva antal svar, (Σw)²/Σw², där w är antalet "
        "frågor varje person besvarat.",
        "",
        f"**Få svar.** Färre än {settings.min_n} svar på en fråga: ingenting redovisas, bara ”för få svar "
        f"(n < {settings.min_n})”. {settings.min_n}–{settings.caution_n - 1} svar: resultatet visas men markeras "
        f"som litet underlag ({tables.CAVEAT_MARK}). Kvinnor och män redovisas var för sig bara när minst "
        f"{settings.gender_min_n} kvinnor och {settings.gender_min_n} män har svarat på frågan. Dessutom döljs "
        f"uppgifter som annars skulle göra det möjligt att räkna fram svaren från en grupp på 1–{settings.min_n - 1} "
        "personer genom att dra redovisade tal från varandra.",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The national report
# ---------------------------------------------------------------------------
def riket_report(year, data_dir="", **settings) -> "RiketReport":
    """The national report of one year (raises :class:`ReportError` on a year without data)."""
    return RiketReport(year, data_dir, make_settings(**settings))


class RiketReport(_Base):
    """Sections of ``notebooks/riket.ipynb``."""

    def __init__(self, year, data_dir, settings: Settings) -> None:
        super().__init__(data_dir, settings)
        try:
            self.year = int(year)
        except (TypeError, ValueError):
            raise ReportError(f"Ogiltigt år {year!r}: ange ett årtal, t.ex. 2023.") from None
        years = sorted(int(y) for y in self.results.question["year"].unique())
        if self.year not in years:
            raise ReportError(f"Inga data för {self.year} i {self.dataset.source}. År med data: "
                              f"{', '.join(str(y) for y in years)}.")
        r = self.results
        self.resp_all = r.responses(self.year, None)
        self.resp_nat = r.responses(self.year, NATIONAL)
        self.qnat = r.questions(self.year, NATIONAL)
        self.ind = r.indicators(self.year, None)
        self.ind_nat = r.indicators(self.year, NATIONAL)
        self.forbund_ids = sorted(self.resp_all["forbund"].unique(), key=lambda f: self.forbund_label(f))

    def summary(self) -> list:
        tot = self.resp_nat.set_index("group").loc["totalt"]
        text = (f"Mätåret {self.year} ({_period(self.year)}) deltog {_count(len(self.forbund_ids))}"
                f" samordningsförbund. Totalt tillfrågades {fmt.integer(tot['asked'])} personer och "
                f"{fmt.integer(tot['answered'])} enkäter kom in, en svarsfrekvens på {fmt.pct(tot['response_rate'])}. "
                "Resultaten gäller de förbund och insatser som deltog och kan inte generaliseras till alla "
                "samordningsförbund.")
        return [_md(text)]

    def participation(self) -> list:
        groups = [g for g in sorted(self.cv.group_order, key=self.cv.group_order.get)
                  if g in set(self.resp_all["group"])]
        wide = self.resp_all.pivot_table(index="forbund", columns="group", values="asked", aggfunc="sum")
        rows = []
        for f in self.forbund_ids:
            vals = [fmt.integer(wide.at[f, g]) if g in wide.columns and not pd.isna(wide.at[f, g]) else fmt.MISSING
                    for g in groups]
            rows.append((self.forbund_label(f), vals))
        nat = self.resp_nat.set_index("group")
        total = ("Totalt", [fmt.integer(nat.at[g, "asked"]) for g in groups])
        head = ["Samordningsförbund"] + [self.cv.group_short.get(g, g) for g in groups]
        w = round(62 / max(1, len(groups)), 1)
        html = tables.matrix_table(head, rows, widths=[38] + [w] * len(groups), total=total)
        return [_md(f"**Tabell.** Deltagande förbund och antal tillfrågade per respondentgrupp {self.year}."),
                tables.HTMLTable(html, "Deltagande förbund")]

    def response(self) -> list:
        rows = [(r["group_name"], r, r["group"] in ("deltagare_totalt", "totalt"))
                for _i, r in self.resp_nat.iterrows()]
        out = [_md(f"**Tabell.** Tillfrågade, bortfall, svarsfrekvens och antal svar per respondentgrupp {self.year} "
                   "(alla deltagande förbund)."),
               tables.HTMLTable(tables.response_table(rows, None), "Svarsfrekvens")]
        part = [(r["group_name"], r) for _i, r in self.resp_nat.iterrows()
                if self.cv.participant.get(r["group"], False) or r["group"] == "deltagare_totalt"]
        if part:
            out += [_md("**Tabell.** Deltagarnas enkätsvar efter bakgrundsvariabeln kön."),
                    tables.HTMLTable(tables.gender_answers_table(part), "Kön")]
        return out

    def questions(self) -> list:
        """National shares per question and group, with intervals and gender."""
        out = []
        q = self.qnat.sort_values(["group_order", "number", "question"], kind="mergesort")
        for group, cells in q.groupby("group", sort=False):
            rows = []
            for (_qid,), cell in cells.groupby(["question"], sort=False):
                views = _rows_by(cell, "gender")
                first = cell.iloc[0]
                vals = []
                for v in VIEWS:
                    r = views.get(v)
                    if _shown(r):
                        vals.append(f"{fmt.pct_interval(r['key_share'], r['ci_low'], r['ci_high'])}\n"
                                    f"{fmt.n_label(r['n'])}")
                    elif v != "alla" and not self.cv.participant.get(group, False):
                        vals.append(fmt.MISSING)
                    else:
                        vals.append(self.reason(r.get("reason") if r is not None else "no_answers"))
                kind = "ja" if first["scale"] == "janej" else "klart positiva"
                rows.append((f"Fråga {int(first['number'])} (ind. {first['indicator'].replace('|', ', ')}, {kind}): "
                             f"{first['text']}", vals))
            head = ["Fråga", "Alla", "Kvinnor", "Män"]
            html = tables.matrix_table(head, rows, widths=[46, 18, 18, 18])
            out += [_md(f"### {self.cv.group_name.get(group, group)}"),
                    tables.HTMLTable(html, self.cv.group_name.get(group, group))]
        return out

    def funnel(self, ind: _Indicator) -> list:
        return _funnel_section(self, ind, self.year, self.ind, self.ind_nat)

    def funnels(self) -> list[list]:
        out = []
        for ind in self.cv.indicators:
            if not ind.questionnaire or (ind.first_year is not None and self.year < ind.first_year):
                continue
            out.append(self.funnel(ind))
        return out

    def check_summary(self) -> str:
        tot = self.resp_nat.set_index("group").loc["totalt"]
        shown = self.ind_nat.loc[~self.ind_nat["withheld"].astype(bool) & (self.ind_nat["gender"] == "alla")]
        outside = 0
        for ind in self.cv.indicators:
            outside += len(_outliers(self, ind, self.ind, self.ind_nat)[0])
        return (f"riket {self.year}: {len(self.forbund_ids)} förbund, {int(tot['asked'])} tillfrågade, "
                f"{int(tot['answered'])} svar; {len(shown)} indikatorer; {outside} förbund×indikator utanför "
                f"{fmt.level(max(self.settings.funnel_limits))}-gränserna")


def _funnel_data(report: _Base, ind: _Indicator, ind_rows: pd.DataFrame, ind_nat: pd.DataFrame):
    rows = ind_rows.loc[(ind_rows["indicator"] == ind.number) & (ind_rows["gender"] == "alla")
                        & (ind_rows["group"] == ALL_GROUPS) & ~ind_rows["withheld"].astype(bool)]
    nat = ind_nat.loc[(ind_nat["indicator"] == ind.number) & (ind_nat["gender"] == "alla")
                      & (ind_nat["group"] == ALL_GROUPS) & ~ind_nat["withheld"].astype(bool)]
    if rows.empty or nat.empty:
        return None
    p0 = float(nat.iloc[0]["key_share"])
    pts = [(report.forbund_label(r["forbund"]), float(r["n"]), float(r["key_share"])) for _i, r in rows.iterrows()]
    pts.sort(key=lambda p: (p[1], p[0]))
    nmax = max(p[1] for p in pts)
    grid = np.unique(np.concatenate([np.arange(1, 50, 1.0), np.linspace(50, max(60.0, nmax * 1.05), 200)]))
    lim = funnel_limits(p0, grid, report.settings.funnel_limits)
    limits = [(cov, part["n"].to_numpy(), part["low"].to_numpy(), part["high"].to_numpy())
              for cov, part in lim.groupby("coverage", sort=True)]
    return pts, p0, limits


def _outliers(report: _Base, ind: _Indicator, ind_rows, ind_nat):
    data = _funnel_data(report, ind, ind_rows, ind_nat)
    if data is None:
        return [], []
    pts, p0, limits = data
    cov, grid, lower, upper = max(limits, key=lambda x: x[0])
    hi, lo = [], []
    for label, n, share in pts:
        low, high = funnel_limits(p0, [n], [cov]).iloc[0][["low", "high"]]
        if share > high:
            hi.append(label)
        elif share < low:
            lo.append(label)
    return hi + lo, (hi, lo)


def _funnel_section(report: _Base, ind: _Indicator, year: int, ind_rows, ind_nat, highlight=None) -> list:
    out = [_md(f"### {ind.number}. {ind.short}")]
    data = _funnel_data(report, ind, ind_rows, ind_nat)
    if data is None:
        out.append(_md(f"Inga redovisade resultat för indikatorn {year}."))
        return out
    pts, p0, limits = data
    outer = max(report.settings.funnel_limits)
    inner = min(report.settings.funnel_limits)
    _all, (hi, lo) = _outliers(report, ind, ind_rows, ind_nat)
    ptxt = fmt.level(outer)
    itxt = fmt.level(inner)
    text = (f"Rikssnittet {year} är {fmt.pct(p0)} ({len(pts)} förbund med redovisade resultat). ")
    if not hi and not lo:
        text += f"Inget förbund ligger utanför {ptxt}-gränserna: skillnaderna mellan förbunden ryms inom slumpen."
    else:
        bits = []
        if hi:
            bits.append(f"högre: {fmt.join_list(hi)}")
        if lo:
            bits.append(f"lägre: {fmt.join_list(lo)}")
        text += f"Utanför {ptxt}-gränserna ligger " + "; ".join(bits) + "."
    out.append(_md(text))
    caption = (f"Trattdiagram, indikator {ind.number} {year}: förbundens nyckeltal mot antal svar (effektivt n) "
               f"med {itxt}- och {ptxt}-gränser kring rikssnittet.")
    alt = (f"Trattdiagram för indikator {ind.number} {year}: {len(pts)} förbund, rikssnitt {fmt.pct(p0)}. "
           + (f"Utanför {ptxt}-gränserna: {fmt.join_list(hi + lo)}." if hi or lo
              else f"Alla förbund ligger inom {ptxt}-gränserna."))
    out.append(figures.funnel([(p[0], p[1], p[2]) for p in pts], p0, limits, caption=caption, alt=alt,
                              highlight=highlight, label_outside=outer))
    return out


# ---------------------------------------------------------------------------
# The indicator page
# ---------------------------------------------------------------------------
def indikator_report(indicator, data_dir="", **settings) -> "IndikatorReport":
    """The page of one indicator across förbund and years."""
    return IndikatorReport(indicator, data_dir, make_settings(**settings))


class IndikatorReport(_Base):
    """Sections of ``notebooks/indikator.ipynb``."""

    def __init__(self, indicator, data_dir, settings: Settings) -> None:
        super().__init__(data_dir, settings)
        numbers = [i.number for i in self.cv.indicators]
        try:
            number = int(indicator)
        except (TypeError, ValueError):
            number = None
        if number not in numbers:
            raise ReportError(f"Okänd indikator {indicator!r}. Indikatorer som finns: "
                              f"{', '.join(str(n) for n in numbers)}.")
        self.ind = next(i for i in self.cv.indicators if i.number == number)
        allind = self.results.indicator
        self.rows = allind.loc[(allind["indicator"] == number) & (allind["group"] == ALL_GROUPS)
                               & (allind["gender"] == "alla")]
        self.years = sorted(int(y) for y in self.rows["year"].unique())

    def summary(self) -> list:
        ind = self.ind
        out = [_md(f"*{ind.name}.*")]
        if not ind.questionnaire:
            out.append(_md(f"Indikatorn {ind.note[:1].lower() + ind.note[1:] if ind.note else 'ingår inte i enkäterna.'}"))
            return out
        lines = ["Indikatorn mäts med följande frågor:", ""]
        q = self.cv.cat.questions
        q = q.loc[q["indicator_list"].map(lambda xs: ind.number in xs)]
        for r in q.sort_values(["first_year", "group", "number"]).itertuples():
            span = year_span(r.first_year, r.last_year, collapse=True)
            lines.append(f"- {self.cv.group_name.get(r.group, r.group)}, fråga {r.number} ({span}): {r.text}")
        if ind.note:
            lines += ["", f"*{ind.note}*"]
        out.append(_md("\n".join(lines)))
        return out

    def table(self) -> list:
        if not self.ind.questionnaire or not self.years:
            return []
        fids = sorted((f for f in self.rows["forbund"].unique() if f != NATIONAL), key=self.forbund_label)
        by = _rows_by(self.rows, "forbund", "year")
        brk = self.cv.breaks(self.ind.number, self.years)
        items = []
        for f in fids + [NATIONAL]:
            cells = {}
            for y in self.years:
                r = by.get((f, y))
                if r is None:
                    continue
                if _shown(r):
                    cells[y] = f"{fmt.pct(r['key_share'])}\n({fmt.interval(r['ci_low'], r['ci_high'])})"
                else:
                    cells[y] = self.reason(r.get("reason"))
                if y in brk:
                    cells[y] = "| " + cells[y]
            items.append(("", "Riket" if f == NATIONAL else self.forbund_label(f), cells))
        head_note = (" ”|” markerar att frågorna ändrades det året." if brk else "")
        html = tables.trend_table(items, self.years, label_header="Förbund", numbered=False, bold_last=True)
        return [_md(f"**Tabell.** Nyckeltal (andel klart positiva/ja) med {fmt.level(self.settings.confidence)} "
                    f"konfidensintervall per förbund och år." + head_note),
                tables.HTMLTable(html, "Indikator per förbund och år")]

    def funnel(self) -> list:
        if not self.ind.questionnaire or not self.years:
            return []
        year = self.years[-1]
        allind = self.results.indicator
        rows = allind.loc[(allind["year"] == year) & (allind["forbund"] != NATIONAL)]
        nat = allind.loc[(allind["year"] == year) & (allind["forbund"] == NATIONAL)]
        return _funnel_section(self, self.ind, year, rows, nat)[1:]

    def check_summary(self) -> str:
        shown = self.rows.loc[~self.rows["withheld"].astype(bool)]
        nf = shown.loc[shown["forbund"] != NATIONAL, "forbund"].nunique()
        return (f"indikator {self.ind.number}: {len(self.years)} år, {nf} förbund med redovisade resultat, "
                f"{int(self.rows['withheld'].astype(bool).sum())} dolda")


# ---------------------------------------------------------------------------
# The templates' stored check output (nbval)
# ---------------------------------------------------------------------------
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
_TEMPLATES = {"forbund.ipynb": "forbund", "riket.ipynb": "riket", "indikator.ipynb": "indikator"}


def template_defaults(nb) -> dict:
    """The literal defaults of a template's ``parameters`` cell."""
    import ast

    cell = next(c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", []))
    values = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def expected_check_output(kind: str, params: dict) -> str:
    """What the template's NBVAL_CHECK_OUTPUT cell prints with ``params``."""
    p = dict(params)
    data_dir = p.pop("data_dir", "")
    if kind == "forbund":
        rep = forbund_report(p.pop("forbund"), p.pop("year"), data_dir, **p)
    elif kind == "riket":
        rep = riket_report(p.pop("year"), data_dir, **p)
    else:
        rep = indikator_report(p.pop("indicator"), data_dir, **p)
    return rep.check_summary() + "\n"


def update_template_checks(directory: Path | None = None, target: Path | None = None) -> list[str]:
    """Write the nbval reference copies of the templates (``tests/nbval/``).

    The templates in ``notebooks/`` are committed with every output stripped. nbval
    can only compare a cell that has a stored output, so each template has a
    reference copy with identical cells whose ``# NBVAL_CHECK_OUTPUT`` cell holds
    the expected line. Run ``python -m finsam.report`` after the demo data or the
    statistics change; ``pytest`` (with ``--nbval-lax``) then compares against it.
    """
    import nbformat

    from ._atomic import atomic_write_text
    from ._paths import NOTEBOOKS_DIR, REPO_ROOT

    directory = Path(directory or NOTEBOOKS_DIR)
    target = Path(target or REPO_ROOT / "tests" / "nbval")
    changed = []
    for name, kind in _TEMPLATES.items():
        nb = nbformat.read(directory / name, as_version=4)
        text = expected_check_output(kind, template_defaults(nb))
        for cell in nb.cells:
            if cell.cell_type == "code" and CHECK_MARKER in cell.source:
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
                cell.execution_count = 1
        content = nbformat.writes(nb) + "\n"
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            atomic_write_text(path, content)
            changed.append(name)
    return changed


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    for _name in update_template_checks():
        print(f"Uppdaterade kontrollutdata i {_name}")
