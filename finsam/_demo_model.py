"""The model behind the synthetic demo data: design constants, calibration and the draws.

:mod:`finsam.demo` assembles and writes the tables; this module holds how each
number is drawn (see that module's docstring for the calibration targets).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog import Catalog, load_catalog
from .published import load_published

#: Fixed seed of the generator (the last day of the first measurement period).
SEED = 20171031
#: Name written to dataset.toml; reports show it as the synthetic-data notice.
DATASET_NAME = "Syntetiska demodata"
YEARS = tuple(range(2017, 2025))
PARTICIPANT_GROUPS = ("deltagare_pagaende", "deltagare_avslut")
GENDERS = ("kvinna", "man", "ej_uppgett", "utan_kon")

# -- design choices (synthetic; not published figures) ------------------------

#: Förbund that appear neither in 003 (2017) nor in 001 (2024): real
#: samordningsförbund, synthetic participation. Printed name (without the
#: "Samordningsförbundet" prefix).
_EXTRA_FORBUND = (
    "Göteborg Centrum", "Göteborg Nordost", "Göteborg Sydväst", "Järfälla", "Malmö", "Norrköping",
    "Umeå", "Uppsala län", "Välfärd i Nacka", "Östra Skaraborg",
)

#: First and last measurement year of every förbund (synthetic timeline). The
#: 2017 förbund start in 2017, the 2024 förbund end in 2024; the counts per year
#: are checked against ``volumes.csv`` when generating. Förbund per year:
#: 2017 13, 2018 24, 2019 33, 2020 37, 2021 39, 2022 36, 2023 32, 2024 29 – growth
#: up to the published 39 of 2021, then decline to 001's 29. The four Göteborg
#: förbund end in 2020 and Samordningsförbundet Göteborg starts in 2021.
_TIMELINE: dict[str, tuple[int, int]] = {
    # the 13 of 2017 (003 table 1)
    "centrala-ostergotland": (2017, 2024), "falun": (2017, 2019), "goteborg-hisingen": (2017, 2020),
    "huddinge-botkyrka-salem": (2017, 2024), "kalmar-lan": (2017, 2022), "mitt-skane": (2017, 2021),
    "nedansiljan": (2017, 2018), "samspelet": (2017, 2023), "skelleftea-norsjo": (2017, 2022),
    "sodertalje": (2017, 2024), "sodra-dalarna": (2017, 2024),
    "trollhattan-lilla-edet-grastorp": (2017, 2021), "ostra-sodertorn": (2017, 2024),
    # the other 24 of 2024 (001)
    "blekinge": (2018, 2024), "degerfors-karlskoga": (2019, 2024), "finnveden": (2018, 2024),
    "fryksdalen": (2019, 2024), "gotland": (2021, 2024), "gavleborgs-lan": (2019, 2024),
    "goteborg": (2021, 2024), "hoglandet": (2018, 2024), "jamtlands-lan": (2019, 2024),
    "klaralvdalen": (2019, 2024), "roslagen": (2018, 2024), "samsund": (2020, 2024),
    "sollentuna-upplands-vasby-sigtuna": (2022, 2024), "stockholms-stad": (2018, 2024),
    "sundsvall": (2018, 2024), "sodra-norrbotten": (2020, 2024), "sodra-vatterbygden": (2018, 2024),
    "vast": (2023, 2024), "vasterbergslagen": (2020, 2024), "vasterdalarna": (2021, 2024),
    "vastmanlands-lan": (2018, 2024), "vastra-varmland-och-norra-dalsland": (2021, 2024),
    "vastra-ostergotland": (2018, 2024), "ostra-varmland": (2021, 2024),
    # extras
    "goteborg-centrum": (2019, 2020), "goteborg-nordost": (2019, 2020), "goteborg-sydvast": (2019, 2020),
    "jarfalla": (2018, 2021), "malmo": (2020, 2021), "norrkoping": (2018, 2022), "umea": (2019, 2022),
    "uppsala-lan": (2019, 2023), "valfard-i-nacka": (2020, 2022), "ostra-skaraborg": (2021, 2023),
}

#: National questionnaire totals for years without a published figure (own choice:
#: growth 2018, pandemic dip 2020, slow decline with fewer förbund 2023–2024).
_UNPUBLISHED_NATIONAL = {2018: 2700, 2020: 4300, 2023: 3600, 2024: 3300}
#: Share of participant answers without the gender variable (utan_kon), by year
#: (003: about 40 % in 2017; assumed to fall as local routines settle).
_UTAN_KON_SHARE = {2018: 0.30, 2019: 0.22, 2020: 0.18, 2021: 0.13, 2022: 0.09, 2023: 0.07, 2024: 0.06}
#: Of participant answers with the gender variable: kvinna, man, ej_uppgett.
_GENDER_MIX = (0.57, 0.39, 0.04)
#: Chance that a förbund sends one year's participant answers without gender at all.
_NO_GENDER_CHANCE = 0.08
#: Chance that a förbund asks the group (pågående is always asked).
_GROUP_CHANCE = {"deltagare_avslut": 0.8, "personal": 0.9, "styrelse": 0.7, "chefsgrupp": 0.65, "remittent": 0.3}
#: Response rate (mean) per group; asked = answered + bortfall.
_RESPONSE_RATE = {"deltagare_pagaende": 0.88, "deltagare_avslut": 0.6, "personal": 0.88, "styrelse": 0.8,
                  "chefsgrupp": 0.75, "remittent": 0.55}
#: National drift of the answer location (logit scale) by year: slow improvement, dip in 2020.
_DRIFT = {2017: 0.0, 2018: 0.05, 2019: 0.10, 2020: 0.0, 2021: 0.14, 2022: 0.2, 2023: 0.26, 2024: 0.3}
#: Key share (clearly positive / yes) assumed for questions without a 2017 figure.
_DEFAULT_KEY_SHARE = {"pag_kontakter": 0.62, "avs_kontakter": 0.6, "per_jamstalldhet_rutiner": 0.38,
                      "per_jamstalldhet_tid": 0.26, "chg_tillvara_brukarorg": 0.22, "chg_naringsliv": 0.3}
#: Cumulative shape of a six-point scale at location 0: P(answer ≥ k) for k = 2..6.
#: The key threshold (k = 5) has probability 0.5, so the location is the logit of the key share.
_SHAPE = np.array([0.95, 0.87, 0.70, 0.50, 0.22])


# -- small helpers -----------------------------------------------------------

def slugify(name: str) -> str:
    """Förbund id: lowercase ASCII, å/ä→a, ö→o, '/' and spaces → '-'."""
    s = name.strip().lower()
    for a, b in (("å", "a"), ("ä", "a"), ("ö", "o"), ("é", "e"), ("/", "-"), (" ", "-")):
        s = s.replace(a, b)
    while "--" in s:
        s = s.replace("--", "-")
    return s


def _key(value: str | int) -> int:
    return value if isinstance(value, int) else zlib.crc32(value.encode("utf-8"))


def _rng(seed: int, *keys: str | int) -> np.random.Generator:
    """An independent generator for one stage of the generation (stable keys)."""
    return np.random.default_rng([seed, *(_key(k) for k in keys)])


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _allocate(rng: np.random.Generator, total: int, caps: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Integers ``0 <= k <= caps`` summing exactly to ``total``, ``k`` roughly ∝ ``caps * weights``.

    A binomial draw around the proportional solution, then single steps until
    the sum is exact (cells with more room and weight move first).
    """
    caps = np.asarray(caps, dtype=np.int64)
    w = np.clip(np.asarray(weights, dtype=float), 1e-6, None)
    if total < 0 or total > caps.sum():
        raise ValueError(f"cannot allocate {total} into capacity {caps.sum()}")
    if total == 0:
        return np.zeros_like(caps)
    lo, hi = 0.0, 1.0 / w.min()
    for _ in range(60):
        mid = (lo + hi) / 2
        if (caps * np.minimum(1.0, w * mid)).sum() < total:
            lo = mid
        else:
            hi = mid
    p = np.minimum(1.0, w * hi)
    k = rng.binomial(caps, p)
    while (diff := total - int(k.sum())) != 0:
        if diff > 0:
            room = (caps - k) * p
            i = rng.choice(len(k), p=room / room.sum())
            k[i] += 1
        else:
            have = k * (1.0 - p + 1e-3)
            i = rng.choice(len(k), p=have / have.sum())
            k[i] -= 1
    return k


def _code_probs(location: np.ndarray, scale_size: int) -> np.ndarray:
    """Answer-code probabilities (rows) for cumulative-logit locations."""
    location = np.asarray(location, dtype=float)[:, None]
    if scale_size == 2:
        yes = _sigmoid(location)
        return np.hstack([yes, 1 - yes])
    cuts = -np.log(_SHAPE / (1 - _SHAPE))
    ge = np.hstack([np.ones_like(location), _sigmoid(location - cuts[None, :]), np.zeros_like(location)])
    return np.clip(ge[:, :-1] - ge[:, 1:], 0.0, 1.0)


def _split_codes(rng: np.random.Generator, n: np.ndarray, key: np.ndarray, probs: np.ndarray,
                 key_codes: np.ndarray) -> np.ndarray:
    """Counts per code given totals ``n`` and key counts ``key`` (rows = cells)."""
    out = np.zeros(probs.shape, dtype=np.int64)
    for mask, count in ((key_codes, key), (~key_codes, n - key)):
        sub = probs[:, mask] + 1e-9
        sub = sub / sub.sum(axis=1, keepdims=True)
        out[:, mask] = rng.multinomial(count, sub)
    return out


def _key_count(n: int, pct: int) -> list[int]:
    """Counts ``k`` whose share ``100 k / n`` is printed as ``pct``, best first.

    Normally the share rounds to ``pct`` (strictly within half a point, so the
    rounding rule does not matter). Where no count does that – 003 table 9
    prints 52 % of n = 74, between 38/74 = 51.4 % and 39/74 = 52.7 % – the
    count whose share truncates to ``pct`` is used (39).
    """
    target = pct * n / 100
    ok = [k for k in range(n + 1) if abs(100 * k / n - pct) < 0.5 - 1e-9]
    if not ok:
        ok = [k for k in range(n + 1) if 0 <= 100 * k / n - pct < 1]
    return sorted(ok, key=lambda k: (abs(k - target), k))


# -- the model ---------------------------------------------------------------

@dataclass
class _Model:
    """Everything the generator needs besides randomness."""

    catalog: Catalog
    seed: int
    names: dict[str, str]
    active: dict[int, list[str]]
    national: dict[int, int]
    forbund_totals: dict[tuple[int, str], int]
    questions_2017: pd.DataFrame
    asked_2017: pd.DataFrame
    response_2017: pd.DataFrame
    participants_2017: pd.DataFrame

    def __post_init__(self) -> None:
        q = self.questions_2017
        self._pct = {(str(a), str(b)): int(c) for a, b, c in zip(q["question"], q["gender"], q["key_pct"])}
        self._effects: dict[tuple[str, str, int], float] = {}

    def key_share(self, question: str, gender: str = "alla") -> float:
        """The 2017 national key share (003), or the assumed one for later questions."""
        if (question, gender) in self._pct:
            return self._pct[(question, gender)] / 100
        if gender != "alla":
            return self.key_share(question)
        return _DEFAULT_KEY_SHARE.get(question, 0.5)

    def location(self, question: str) -> float:
        return _logit(min(max(self.key_share(question), 0.03), 0.97))

    def gender_shift(self, question: str, gender: str) -> float:
        """Logit difference of a gender from all, from 003 table 5 (pågående; avslut borrows it)."""
        twin = question.replace("avs_", "pag_", 1)
        if gender not in ("kvinna", "man") or (twin, gender) not in self._pct:
            return 0.0
        p = min(max(self._pct[(twin, gender)] / 100, 0.03), 0.97)
        return _logit(p) - self.location(twin)

    def forbund_effect(self, slug: str, group: str, year: int) -> float:
        """Persistent förbund level + group deviation + own trend + yearly noise (logit scale)."""
        key = (slug, group, year)
        if key not in self._effects:
            base = _rng(self.seed, "effect", slug).normal(0.0, 0.4, size=2)
            grp = _rng(self.seed, "effect", slug, group).normal(0.0, 0.2)
            noise = _rng(self.seed, "effect", slug, group, year).normal(0.0, 0.15)
            self._effects[key] = float(base[0] + 0.15 * base[1] * (year - 2017) + grp + noise + _DRIFT[year])
        return self._effects[key]


def _published_targets() -> dict[str, pd.DataFrame]:
    names = ("nns2017_forbund", "nns2017_asked", "nns2017_response", "nns2017_participants",
             "nns2017_questions", "forbund_2024", "volumes")
    return {name: load_published(name) for name in names}


def _build_model(seed: int) -> _Model:
    pub = _published_targets()
    names: dict[str, str] = {}
    for table in ("nns2017_forbund", "forbund_2024"):
        for slug, name in zip(pub[table]["forbund"], pub[table]["name"]):
            names[str(slug)] = f"Samordningsförbundet {name}"
    for name in _EXTRA_FORBUND:
        names[slugify(name)] = f"Samordningsförbundet {name}"
    problems = []
    set_2017 = set(pub["nns2017_forbund"]["forbund"])
    set_2024 = set(pub["forbund_2024"]["forbund"])
    if set(names) != set(_TIMELINE):
        problems.append(f"tidslinjen och namnlistan skiljer sig: {sorted(set(names) ^ set(_TIMELINE))}")
    active = {y: sorted(s for s, (a, b) in _TIMELINE.items() if a <= y <= b) for y in YEARS}
    if set(active[2017]) != set_2017:
        problems.append("förbunden 2017 stämmer inte med 003 tabell 1")
    if set(active[2024]) != set_2024:
        problems.append("förbunden 2024 stämmer inte med 001")
    vol = pub["volumes"]
    national = dict(_UNPUBLISHED_NATIONAL)
    forbund_totals: dict[tuple[int, str], int] = {}
    for row in vol.itertuples():
        year = int(row.year)
        if row.scope == "national":
            if pd.notna(row.forbund_count) and int(row.forbund_count) != len(active[year]):
                problems.append(f"{year}: {len(active[year])} förbund, publicerat {row.forbund_count}")
            if pd.notna(row.questionnaires):
                target = int(row.questionnaires)
                if bool(row.approximate):
                    # "about 5 300": a fixed draw within ±2 % looks like a real count
                    target = int(round(target * (1 + _rng(seed, "national", year).uniform(-0.02, 0.02))))
                national[year] = target
        else:
            if row.forbund not in active[year]:
                problems.append(f"{year}: {row.forbund} har en publicerad volym men deltar inte")
            forbund_totals[(year, str(row.forbund))] = int(row.questionnaires)
    if problems:
        raise RuntimeError("Demodatans konstruktion stämmer inte med data/published:\n" + "\n".join(problems))
    return _Model(load_catalog(), seed, names, active, national, forbund_totals,
                  pub["nns2017_questions"], pub["nns2017_asked"], pub["nns2017_response"],
                  pub["nns2017_participants"])


# -- participation -----------------------------------------------------------

def _participation_2017(m: _Model) -> pd.DataFrame:
    """2017: asked = table 1, answers = table 2, unreachable and gender = tables 3–4."""
    rows = []
    resp = m.response_2017.set_index("group")
    part = m.participants_2017.set_index("group")
    for group, asked_rows in m.asked_2017.groupby("group", sort=False):
        rng = _rng(m.seed, 2017, "participation", group)
        slugs = [str(s) for s in asked_rows["forbund"]]
        asked = asked_rows["asked"].to_numpy(dtype=np.int64)
        answered_total = int(resp.loc[group, "answered"])
        unreachable = np.zeros_like(asked)
        if group in part.index:
            unreachable = _allocate(rng, int(part.loc[group, "unreachable"]), asked - 1,
                                    rng.uniform(0.3, 1.7, len(asked)))
        rate = rng.uniform(0.5, 1.5, len(asked))
        answered = _allocate(rng, answered_total, asked - unreachable, rate)
        genders = {g: np.zeros_like(asked) for g in GENDERS}
        if group in part.index:
            left = answered.copy()
            # förbund differ in how often they record gender; ej_uppgett takes the remainder
            for g in ("utan_kon", "kvinna", "man"):
                w = rng.uniform(0.2, 1.8, len(asked)) if g == "utan_kon" else rng.uniform(0.8, 1.2, len(asked))
                genders[g] = _allocate(rng, int(part.loc[group, g]), left, w)
                left = left - genders[g]
            genders["ej_uppgett"] = left
        else:
            genders["utan_kon"] = answered
        for i, slug in enumerate(slugs):
            rows.append((2017, slug, group, int(asked[i]), int(unreachable[i]), int(answered[i]),
                         *(int(genders[g][i]) for g in GENDERS)))
    return pd.DataFrame(rows, columns=_PARTICIPATION_COLUMNS)


def _forbund_sizes(m: _Model, year: int) -> dict[str, int]:
    """Questionnaires per förbund: published totals exactly, the rest share the national total."""
    slugs = m.active[year]
    fixed = {s: m.forbund_totals[(year, s)] for s in slugs if (year, s) in m.forbund_totals}
    free = [s for s in slugs if s not in fixed]
    rest = m.national[year] - sum(fixed.values())
    w = np.array([np.exp(_rng(m.seed, "size", s).normal(0, 0.55) + _rng(m.seed, "size", s, year).normal(0, 0.2))
                  for s in free])
    minimum = 20
    share = minimum + (rest - minimum * len(free)) * w / w.sum()
    base = np.floor(share).astype(int)
    order = np.argsort(-(share - base), kind="stable")
    base[order[: rest - base.sum()]] += 1
    return {**fixed, **dict(zip(free, (int(b) for b in base)))}


def _split_groups(rng: np.random.Generator, total: int, year: int) -> dict[str, int]:
    """Split a förbund's questionnaires over the groups (small board and managers' groups)."""
    small: dict[str, int] = {}
    for group in ("styrelse", "chefsgrupp"):
        if rng.random() < _GROUP_CHANCE[group]:
            small[group] = int(rng.integers(1, 13)) if rng.random() < 0.15 else int(rng.integers(3, 13))
    if year >= 2022 and rng.random() < _GROUP_CHANCE["remittent"]:
        small["remittent"] = int(rng.integers(2, 18))
    if rng.random() < _GROUP_CHANCE["personal"]:
        small["personal"] = max(2, int(round(total * rng.uniform(0.08, 0.2))))
    while sum(small.values()) > total - 4:
        biggest = max(small, key=small.get)
        small[biggest] = small[biggest] // 2
        small = {g: v for g, v in small.items() if v > 0}
    participants = total - sum(small.values())
    out = {}
    if rng.random() < _GROUP_CHANCE["deltagare_avslut"]:
        out["deltagare_avslut"] = int(round(participants * rng.uniform(0.12, 0.45)))
    out["deltagare_pagaende"] = participants - out.get("deltagare_avslut", 0)
    out.update(small)
    return {g: v for g, v in out.items() if v > 0}


def _gender_split(rng: np.random.Generator, answered: int, group: str, year: int) -> dict[str, int]:
    if group not in PARTICIPANT_GROUPS:
        return {"kvinna": 0, "man": 0, "ej_uppgett": 0, "utan_kon": answered}
    if rng.random() < _NO_GENDER_CHANCE:
        utan = answered
    else:
        mean = _UTAN_KON_SHARE[year]
        utan = int(rng.binomial(answered, rng.beta(2, 2 * (1 - mean) / mean)))
    k, mn, ej = rng.multinomial(answered - utan, _GENDER_MIX)
    return {"kvinna": int(k), "man": int(mn), "ej_uppgett": int(ej), "utan_kon": utan}


def _participation_later(m: _Model, year: int) -> pd.DataFrame:
    rows = []
    for slug, total in sorted(_forbund_sizes(m, year).items()):
        rng = _rng(m.seed, year, "participation", slug)
        for group, answered in _split_groups(rng, total, year).items():
            rate = float(np.clip(rng.normal(_RESPONSE_RATE[group], 0.08), 0.3, 1.0))
            bortfall = int(round(answered * (1 / rate - 1)))
            unreachable = int(rng.binomial(bortfall, rng.uniform(0.2, 0.8))) if group in PARTICIPANT_GROUPS else 0
            g = _gender_split(rng, answered, group, year)
            rows.append((year, slug, group, answered + bortfall, unreachable, answered, *(g[x] for x in GENDERS)))
    return pd.DataFrame(rows, columns=_PARTICIPATION_COLUMNS)


_PARTICIPATION_COLUMNS = ["year", "forbund", "group", "asked", "unreachable", "answered",
                          "answered_kvinna", "answered_man", "answered_ej_uppgett", "answered_utan_kon"]


# -- responses ---------------------------------------------------------------

def _cells(participation: pd.DataFrame, year: int, group: str) -> pd.DataFrame:
    """One row per förbund × gender with answers > 0."""
    p = participation.loc[(participation["year"] == year) & (participation["group"] == group)]
    long = p[["forbund"] + [f"answered_{g}" for g in GENDERS]].melt(
        id_vars=["forbund"], var_name="gender", value_name="answered")
    long["gender"] = long["gender"].str.removeprefix("answered_")
    long = long.loc[long["answered"] > 0]
    order = {g: i for i, g in enumerate(GENDERS)}
    return long.sort_values(["forbund", "gender"], key=lambda s: s.map(order) if s.name == "gender" else s,
                            kind="stable").reset_index(drop=True)


def _locations(m: _Model, cells: pd.DataFrame, question: str, group: str, year: int) -> np.ndarray:
    base = m.location(question)
    return np.array([base + m.forbund_effect(f, group, year) + m.gender_shift(question, g)
                     for f, g in zip(cells["forbund"], cells["gender"])])


def _targets_2017(m: _Model, question: str, cells: pd.DataFrame,
                  cap: np.ndarray) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    """Published n and key count per gender pool of one 2017 question.

    Returns the pool of every cell ("kvinna", "man", "rest" or "alla") and per
    pool (n, key count). n is capped at the answers (table 10 vs table 2).
    """
    q = m.questions_2017.loc[m.questions_2017["question"] == question].set_index("gender")
    by_gender = {g for g in q.index if g != "alla"}
    pools = np.where(cells["gender"].isin(by_gender), cells["gender"], "rest" if by_gender else "alla")
    caps = {p: int(cap[pools == p].sum()) for p in set(pools)}
    n_all = min(int(q.loc["alla", "n"]), sum(caps.values()))
    targets: dict[str, tuple[int, int]] = {}
    for g in sorted(by_gender):
        n = min(int(q.loc[g, "n"]), caps[g])
        targets[g] = (n, _key_count(n, int(q.loc[g, "key_pct"]))[0])
    pooled_n = n_all - sum(t[0] for t in targets.values())
    pooled_key = None
    for k in _key_count(n_all, int(q.loc["alla", "key_pct"])):
        rest = k - sum(t[1] for t in targets.values())
        if 0 <= rest <= pooled_n:
            pooled_key = rest
            break
    if pooled_key is None:
        raise RuntimeError(f"2017: inga heltal ger de publicerade andelarna för {question}")
    targets["rest" if by_gender else "alla"] = (pooled_n, pooled_key)
    return pools, targets


def _responses_group(m: _Model, participation: pd.DataFrame, year: int, group: str) -> list[tuple]:
    cells = _cells(participation, year, group)
    if cells.empty:
        return []
    questions = m.catalog.questions_in(year, group).sort_values("number")
    rows: list[tuple] = []
    answered = cells["answered"].to_numpy(dtype=np.int64)
    code_counts: dict[str, tuple[list[int], np.ndarray]] = {}
    for q in questions.itertuples():
        rng = _rng(m.seed, year, "responses", group, q.question)
        classes = m.catalog.scale_classes(q.scale)
        codes = sorted(classes)
        key_class = m.catalog.key_class(q.scale)
        key_codes = np.array([classes[c] == key_class for c in codes])
        probs = _code_probs(_locations(m, cells, q.question, group, year), len(codes))
        cap = answered
        if q.condition_question:
            parent_codes, parent_counts = code_counts[q.condition_question]
            cap = parent_counts[:, parent_codes.index(int(q.condition_answer))]
        if year == 2017:
            pools, targets = _targets_2017(m, q.question, cells, cap)
            n = np.zeros_like(cap)
            key = np.zeros_like(cap)
            for pool, (n_pool, k_pool) in sorted(targets.items()):
                sel = pools == pool
                n[sel] = rng.multivariate_hypergeometric(cap[sel], n_pool)
                key[sel] = _allocate(rng, k_pool, n[sel], probs[sel][:, key_codes].sum(axis=1))
            counts = _split_codes(rng, n, key, probs, key_codes)
        else:
            miss = 0.02 if q.condition_question else rng.uniform(0.005, 0.04)
            n = rng.binomial(cap, 1 - miss)
            counts = rng.multinomial(n, probs / probs.sum(axis=1, keepdims=True))
        code_counts[q.question] = (codes, counts)
        for i, (f, g) in enumerate(zip(cells["forbund"], cells["gender"])):
            for j, code in enumerate(codes):
                if counts[i, j]:
                    rows.append((year, f, group, q.question, g, code, int(counts[i, j])))
    return rows
