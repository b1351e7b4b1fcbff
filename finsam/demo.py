"""Synthetic demo data: realistic national aggregates 2017–2024 (``finsam demo``).

Real per-förbund answer counts are not public, so the shipped data directory
``data/demo`` is generated here. The numbers are synthetic; the förbund names
are real (public organisations). The generator is deterministic: every random
draw comes from a ``numpy`` generator seeded with :data:`SEED` plus fixed keys,
rows are sorted and the CSV text has no floats, so two runs give identical bytes.

Calibration (targets are *read* from ``data/published``, never copied here):

* 2017 (seed 003): asked per förbund × group = table 1 exactly; answers per group
  = table 2; unreachable and the gender split of participant answers = tables
  3–4; national n per question and the pooled key share (clearly positive, or
  yes) = tables 5–10 to the printed whole percent, by gender where printed.
  Table 10 prints n = 102/101 for chefsgrupp while table 2 gives 100 answers;
  a question cannot have more answers than questionnaires, so n is capped at
  the answers (100). Table 9 prints 52 % of n = 74 (styrelse Q1–Q2), which no
  whole count rounds to; 39/74 (truncates to 52 %) is used.
* Later years: the förbund counts and questionnaire totals of ``volumes.csv``
  (national and per förbund); the 2024 förbund are exactly 001's list.

Everything else (which förbund took part which year, sizes, answer profiles,
drift) is our own design, kept in the constants of :mod:`finsam._demo_model`, which
also holds the draws; this module assembles and writes the tables.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ._atomic import atomic_write_text
from ._demo_model import (  # noqa: F401 - SEED, YEARS, GENDERS, slugify are part of this module's API
    DATASET_NAME,
    GENDERS,
    PARTICIPANT_GROUPS,
    SEED,
    YEARS,
    _build_model,
    _participation_2017,
    _participation_later,
    _responses_group,
    slugify,
)
from ._paths import DEMO_DIR


# -- assembling and writing ----------------------------------------------------

@dataclass
class DemoData:
    """The generated tables (same columns as a data directory)."""

    forbund: pd.DataFrame
    responses: pd.DataFrame
    participation: pd.DataFrame


def build_demo(seed: int = SEED) -> DemoData:
    """Generate the synthetic tables in memory.

    Parameters
    ----------
    seed : int
        Base seed; the default gives the shipped ``data/demo``.
    """
    m = _build_model(seed)
    participation = pd.concat([_participation_2017(m)] + [_participation_later(m, y) for y in YEARS[1:]],
                              ignore_index=True)
    group_order = {g: i for i, g in enumerate(m.catalog.group_ids)}
    participation = participation.sort_values(
        ["year", "forbund", "group"], key=lambda s: s.map(group_order) if s.name == "group" else s,
        kind="stable").reset_index(drop=True)
    rows: list[tuple] = []
    for year in YEARS:
        for group in m.catalog.group_ids:
            rows.extend(_responses_group(m, participation, year, group))
    responses = pd.DataFrame(rows, columns=["year", "forbund", "group", "question", "gender", "answer", "count"])
    number = dict(zip(m.catalog.questions["question"], m.catalog.questions["number"]))
    gender_order = {g: i for i, g in enumerate(GENDERS)}

    def _sort_key(s: pd.Series) -> pd.Series:
        if s.name == "group":
            return s.map(group_order)
        if s.name == "question":
            return s.map(number)
        if s.name == "gender":
            return s.map(gender_order)
        return s

    responses = responses.sort_values(["year", "forbund", "group", "question", "gender", "answer"],
                                      key=_sort_key, kind="stable").reset_index(drop=True)
    used = sorted(set(participation["forbund"]))
    forbund = pd.DataFrame({"forbund": used, "name": [m.names[s] for s in used]})
    return DemoData(forbund, responses, participation)


def _csv_text(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(df.columns)
    writer.writerows(df.itertuples(index=False, name=None))
    return buf.getvalue()


def _dataset_toml(seed: int) -> str:
    return (
        "[dataset]\n"
        f'name = "{DATASET_NAME}"\n'
        "synthetic = true\n"
        'description = "Syntetiska aggregat 2017–2024 i dataformatet: riktiga förbundsnamn, påhittade siffror. '
        'Synthetic aggregates 2017–2024 in the data format: real förbund names, made-up numbers."\n'
        'source = "Kalibrerade mot data/published: 2017 = NNS nationella rapport (003 tabell 1–10, till tryckt '
        'heltalsprocent; chefsgruppens n begränsat till 100 svar; styrelsens 52 % av 74 = 39/74), senare år = publicerade volymer (volumes.csv) '
        'och 2024 års 29 förbund (001). Skapade med finsam demo."\n'
        f"seed = {seed}\n"
        'generator = "finsam demo data/demo"\n'
    )


def generate(directory: str | Path | None = None, seed: int = SEED) -> list[Path]:
    """Write the demo data directory (CSV files, dataset.toml, README.md).

    Parameters
    ----------
    directory : path, optional
        Target directory; default ``data/demo``. Created if needed.
    seed : int
        Base seed (default :data:`SEED`, which gives the committed files).

    Returns
    -------
    list of Path
        The files written, each replaced atomically.
    """
    directory = Path(directory) if directory is not None else DEMO_DIR
    data = build_demo(seed)
    texts = {
        "forbund.csv": _csv_text(data.forbund),
        "participation.csv": _csv_text(data.participation),
        "responses.csv": _csv_text(data.responses),
        "dataset.toml": _dataset_toml(seed),
        "README.md": _README,
    }
    written = []
    for name, text in texts.items():
        atomic_write_text(directory / name, text)
        written.append(directory / name)
    return written


_README = """\
# Syntetiska demodata / Synthetic demo data

**Svenska.** Siffrorna i den här katalogen är **påhittade** (syntetiska). Förbundsnamnen är riktiga
samordningsförbund (offentliga organisationer), men inga svar, antal eller andelar kommer från dem. Riktiga
svarsantal per förbund är inte offentliga; de här filerna finns för att alla kommandon, notebooks och tester ska
fungera direkt och se ut som verkliga data. Varje rapport som byggs härifrån visar "Syntetiska demodata"
(`synthetic = true` i `dataset.toml`).

**English.** The numbers in this directory are **made up** (synthetic). The förbund names are real
samordningsförbund (public organisations), but no answer, count or share comes from them. Real per-förbund counts
are not public; these files let every command, notebook and test run out of the box on data that looks real.
Every report built from here shows "Syntetiska demodata" (`synthetic = true` in `dataset.toml`).

## Återskapa / Regenerate

```
finsam demo data/demo
```

Generatorn (`finsam/demo.py`) har ett fast frö: två körningar ger byte-identiska filer, och testerna jämför de
incheckade filerna med en ny körning. *Fixed seed: two runs give identical bytes; the tests compare the committed
files with a fresh run.*

## Kalibrering / Calibration

Målen läses från `data/published/` (avskrivet ur källrapporterna) – de upprepas inte i koden.
*Targets are read from `data/published/`, not repeated in code.*

| år / year | kalibrerat mot / calibrated to |
|---|---|
| 2017 | 003 tabell 1: tillfrågade per förbund och grupp exakt; tabell 2: antal svar per grupp exakt; tabell 3–4: ej nåbara och könsfördelningen av deltagarsvaren exakt (nationella summor); tabell 5–10: n per fråga exakt och andel klart positiva/ja till tryckt heltalsprocent, per kön där det är tryckt (tabell 5). |
| 2017–2024 | `volumes.csv`: antal förbund 2017, 2021 (39), 2022 (36), 2024 (29); antal enkäter nationellt (2017, 2019 ca 5 300 – här inom ±2 %, 2021, 2022) och för Trollhättan/Lilla Edet/Grästorp 2019–2020, Västmanlands län 2023–2024, Sundsvall 2022–2023 (exakt). |
| 2024 | exakt de 29 förbunden i 001 (`forbund_2024.csv`). |

**Källkonflikt / source conflict.** 003 tabell 10 trycker n = 102 och 101 för parternas chefsgrupp, men tabell 2
anger 100 svar. En fråga kan inte ha fler svar än antalet enkäter (valideringsregel), så n är satt till 100 för
båda frågorna; andelarna (43 % och 21 %) gäller på 100. *Table 10 prints n = 102/101 for chefsgrupp while table 2
gives 100 answers; n is capped at 100 (a question cannot have more answers than questionnaires); the shares hold
on 100.*

**Källkonflikt / source conflict.** 003 tabell 9 trycker 52 % klart positiva av n = 74 för styrelsens fråga 1 och 2,
men inget heltal ger 52 % avrundat (38/74 = 51,4 %, 39/74 = 52,7 %). n = 74 behålls (alla 74 svarande) och 39
klart positiva används – andelen 52,7 % blir 52 om den trunkeras i stället för avrundas. *Table 9 prints 52 % of
n = 74 for board questions 1–2, which no whole count rounds to; n = 74 is kept and 39/74 (52.7 %, which truncates to
52) is used.*

## Förbund per år / Förbund per year

| 2017 | 2018 | 2019 | 2020 | 2021 | 2022 | 2023 | 2024 |
|---|---|---|---|---|---|---|---|
| 13 | 24 | 33 | 37 | 39 | 36 | 32 | 29 |

Publicerat / published: 2017 (13, 003), 2021 (39), 2022 (36), 2024 (29, 001). Åren däremellan är eget val: antalet
växer varje år från de 13 förbunden 2017 till 39 år 2021 och minskar sedan till de 29 i 001 år 2024. De fyra
Göteborgsförbunden (Hisingen, Centrum, Nordost, Sydväst) deltar till och med 2020 och Samordningsförbundet Göteborg
från 2021. *The other years are our own choice: the count grows every year from the 13 of 2017 to 39 in 2021, then
falls to 001's 29 in 2024. The four Göteborg förbund take part up to 2020, Samordningsförbundet Göteborg from 2021.*

## Vad som är eget val / What is our own design

- Vilka förbund som deltog vilket år mellan 2017 och 2024 (utom de publicerade åren, se ovan) och deras storlek.
  Tio förbund som varken finns i 003 eller 001 har lagts till med riktiga namn (t.ex. Samordningsförbundet Umeå,
  Göteborg Nordost). *Which förbund took part in which year (see above), their size; ten extra real names.*
- Nationella enkätantal utan publicerad siffra: 2018 2 700, 2020 4 300, 2023 3 600, 2024 3 300.
- Svarsfördelningar: en kumulativ logit-modell per fråga med nivå från 2017 års riksandel, förbundseffekter,
  egna trender och en nationell drift över åren. *Answer distributions: cumulative logit per question, level from
  the 2017 national share, förbund effects, own trends, national drift.*
- Kön: bara deltagarenkäterna har könsvariabeln (000: "Då enkäter ställda till deltagare har bakgrundsvariabeln
  kön"), så personal, förbundschef, styrelse, chefsgrupp och remittent har alla svar som `utan_kon`. Andelen
  deltagarsvar utan kön faller från 003:s nivå (ca 40 %) 2017 till ca 6 % 2024; vissa förbund skickar ett år
  helt utan kön. *Only participant forms carry gender; staff, board, managers and referrers are all `utan_kon`.*
- Ej nåbara (undertäckning) bara för deltagargrupperna, som i 003; ingår i bortfallet.
  *Unreachable only for participant groups, as in 003; part of the non-response.*
- Bortfall per fråga (n under antalet enkäter); avslut fråga 9–10 bara från dem som svarat Ja på fråga 8 (per
  förbund och kön); frågor bara under katalogens giltighetsår (indikator 16 från 2021, indikator 4:s nya frågor
  från 2022, förbundschef bara 2017). Remittent finns i vissa förbund 2022–2024 men bara i `participation.csv`:
  källorna trycker inga remittentfrågor. Styrelse och chefsgrupp är små (oftast 3–12 svar, ibland 1–2), så alla
  regler för få svar (n < 5, 5–9, könsuppdelning, restgrupp 1–4) används.
"""
