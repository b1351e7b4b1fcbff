"""The site's explorer page ("Utforska"): Observable JS over the published results.

:func:`finsam.site.write_pages` writes ``reports/utforska.qmd`` with
:func:`explorer_page`. The page reads only the published, suppressed results
files ``reports/data/resultat_<year>_indikator.csv`` (withheld cells have empty
numbers and a ``reason``), never the raw aggregates, and lists exactly the
files that the build wrote: each one is a literal ``FileAttachment`` call.

Offline: Quarto's OJS runtime loads ``Inputs``, ``Plot``, ``d3`` and ``htl``
from a CDN on first use, so the page uses none of them. Its controls are plain
``<select>``/radio forms built with the runtime's own ``html`` template and its
charts are SVG strings; ``FileAttachment(...).csv`` (d3-dsv) is part of the
runtime. The page therefore works from a static ``_site`` folder served by any
plain web server without network access.

Everything is deterministic: the page text depends only on the years, the
förbund names, the indicator catalogue and the settings.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import fmt, texts

#: The page, relative to ``reports/``.
PAGE = "utforska.qmd"
#: Results files the explorer reads (relative to ``reports/``), by year.
DATA_PATTERN = "data/resultat_{year}_indikator.csv"
#: The labels (förbund names, indicator names, reason texts), relative to ``reports/``.
#: Kept out of the page source so that no name from the data is ever part of the
#: page's Markdown or script text (names reach the page only as escaped text).
LABELS_FILE = "data/utforska.json"


def data_files(results_files: list[Path]) -> list[tuple[int, str]]:
    """(year, path relative to ``reports/``) of every published indicator results file, by year."""
    out = []
    for path in results_files:
        stem = Path(path).name
        if stem.startswith("resultat_") and stem.endswith("_indikator.csv"):
            year = int(stem.split("_")[1])
            out.append((year, DATA_PATTERN.format(year=year)))
    return sorted(out)


def _labels(dataset, settings, forbund_ids: list[str]) -> dict:
    from .disclosure import reason_text
    from .reports.catview import catalog_view

    view = catalog_view()
    indicators = {
        str(int(r["indicator"])): str(r["short_name"])
        for _, r in view.cat.indicators.sort_values("indicator").iterrows()
    }
    years = sorted({int(y) for y in dataset.responses["year"]})
    breaks = {key: list(view.breaks(int(key), years)) for key in indicators}
    reasons = {code: texts.short_reason(code, settings.min_n) for code in texts.SHORT_REASON}
    long_reasons = {code: reason_text(code, settings) for code in texts.SHORT_REASON}
    return {
        "forbund": {f: str(dataset.forbund_name(f)) for f in sorted(forbund_ids)},
        "indicators": indicators,
        "reasons": reasons,
        "reasonsLong": long_reasons,
        "views": dict(texts.VIEW_LABEL),
        "level": fmt.level(settings.confidence),
        "national": texts.NATIONAL_LABEL,
        # Series breaks: catalogue changes per indicator, and what the marks mean.
        "breaks": {key: found for key, found in breaks.items() if found},
        "breakMarks": {kind: {"mark": mark, "text": text} for kind, (mark, text) in texts.BREAK_MARKS.items()},
        "breakConsequence": texts.BREAK_CONSEQUENCE,
        "questionGroup": dict(sorted(view.question_group.items())),
    }


def labels_json(dataset, settings, forbund_ids: list[str]) -> str:
    """The explorer's labels file (:data:`LABELS_FILE`): deterministic JSON text."""
    return json.dumps(_labels(dataset, settings, forbund_ids), ensure_ascii=True, indent=1) + "\n"


def explorer_page(settings, results_files: list[Path], notice: str = "") -> tuple[dict, str]:
    """Front matter and body of ``reports/utforska.qmd``.

    Parameters
    ----------
    settings : finsam.settings.Settings
        The confidence level.
    results_files : list of Path
        The results files written to ``reports/data`` (only the indicator files are read).
    notice : str
        Markdown put first (the synthetic-data callout, or empty).
    """
    fm = {
        "title": "Utforska resultaten",
        "description": "Välj förbund, indikator och kön: nyckeltalet över åren mot riket och mot de andra förbunden.",
        "toc": False,
        # Quarto's search index would hold the (hidden) OJS source of each section.
        "search": False,
    }
    files = data_files(results_files)
    if not files:
        return fm, notice + "\nInga resultat har beräknats ännu (kör `finsam build`)."
    level = fmt.level(settings.confidence)
    attachments = ",\n".join(f'  {{year: {year}, file: FileAttachment("{rel}")}}' for year, rel in files)
    body = EXPLORER_BODY.format(
        notice=notice + "\n" if notice else "",
        level=level,
        attachments=attachments,
        labels_file=LABELS_FILE,
    )
    return fm, body


# The page body. Markdown with ```{ojs} cells; "{{" / "}}" are literal braces for str.format.
EXPLORER_BODY = """\
{notice}Välj ett förbund, en indikator och ett kön. Diagrammen visar förbundets nyckeltal (andel klart positiva
svar) med {level}-konfidensintervall, först över åren mot riket och sedan mot de andra förbunden ett valt år.
Sidan läser bara de publicerade resultatfilerna (se [Data](../data.qmd)): där rapporterna inte redovisar
något står "dold" och skälet, aldrig en siffra.

```{{ojs}}
//| echo: false
files = [
{attachments}
]
```

```{{ojs}}
//| echo: false
labels = FileAttachment("{labels_file}").json()
```

```{{ojs}}
//| echo: false
// Indicator rows of all years (group "alla"); a withheld row never keeps a number.
rows = {{
  const tables = await Promise.all(files.map((f) => f.file.csv({{typed: true}})));
  const out = [];
  for (const table of tables) {{
    for (const r of table) {{
      if (r.group !== "alla") continue;
      const withheld = r.withheld === true || r.withheld === "true";
      out.push({{
        year: +r.year, forbund: String(r.forbund), indicator: +r.indicator, gender: String(r.gender),
        withheld, reason: r.reason == null ? "" : String(r.reason),
        nationalReason: r.national_reason == null ? "" : String(r.national_reason),
        caveat: r.caveat == null ? "" : String(r.caveat),
        n: withheld ? null : num(r.n),
        share: withheld ? null : num(r.key_share),
        low: withheld ? null : num(r.ci_low),
        high: withheld ? null : num(r.ci_high),
        diff: withheld ? null : num(r.diff_national),
        diffPrev: withheld ? null : num(r.diff_previous),
        questions: r.questions == null ? "" : String(r.questions),
        label: withheld || r.national_label == null ? "" : String(r.national_label)
      }});
    }}
  }}
  return out;
}}
```

```{{ojs}}
//| echo: false
function num(x) {{
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}}
```

```{{ojs}}
//| echo: false
// Swedish number formatting (as finsam.fmt): half up, decimal comma, Unicode minus.
function roundHalfUp(x, d) {{
  const s = String(Math.abs(x));
  const r = s.includes("e") ? Math.round(Math.abs(x) * 10 ** d) : Math.round(Number(s + "e" + d));
  return Math.sign(x) * r / 10 ** d;
}}
```

```{{ojs}}
//| echo: false
function number(x, d = 0, sign = false) {{
  const v = roundHalfUp(x, d);
  let s = Math.abs(v).toFixed(d).replace(".", ",");
  s = s.replace(/\\B(?=(\\d{{3}})+(?!\\d))/g, "\\u00a0");
  if (v < 0) return "\\u2212" + s;
  return (sign && v > 0 ? "+" : "") + s;
}}
```

```{{ojs}}
//| echo: false
function pct(x) {{ return x == null ? "\\u2013" : number(x * 100) + "\\u00a0%"; }}
```

```{{ojs}}
//| echo: false
function interval(lo, hi) {{
  return lo == null || hi == null ? "\\u2013" : number(lo * 100) + "\\u2013" + number(hi * 100);
}}
```

```{{ojs}}
//| echo: false
function esc(s) {{
  return String(s).replace(/[&<>"']/g, (c) => ({{"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}})[c]);
}}
```

```{{ojs}}
//| echo: false
function reasonText(r) {{
  const why = labels.reasons[r.reason] || "visas inte";
  return why.startsWith("dold") ? why : "dold: " + why;
}}
```

```{{ojs}}
//| echo: false
// A control without Observable Inputs (fetched from a CDN): a form whose value follows its <select>.
function selectInput(label, options, value) {{
  const opts = options.map(([v, t]) => `<option value="${{esc(v)}}"${{String(v) === String(value) ? " selected" : ""}}>${{esc(t)}}</option>`).join("");
  const form = html`<form class="finsam-control"><label>${{esc(label)}}<br><select>${{opts}}</select></label></form>`;
  const select = form.querySelector("select");
  form.value = select.value;
  select.addEventListener("input", () => {{ form.value = select.value; }});
  form.addEventListener("submit", (e) => e.preventDefault());
  return form;
}}
```

```{{ojs}}
//| echo: false
function radioInput(label, options, value) {{
  const items = options.map(([v, t]) => `<label class="finsam-radio"><input type="radio" name="r" value="${{esc(v)}}"${{v === value ? " checked" : ""}}> ${{esc(t)}}</label>`).join(" ");
  const form = html`<form class="finsam-control"><fieldset><legend>${{esc(label)}}</legend>${{items}}</fieldset></form>`;
  form.value = value;
  for (const input of form.querySelectorAll("input")) input.addEventListener("input", () => {{ form.value = input.value; }});
  form.addEventListener("submit", (e) => e.preventDefault());
  return form;
}}
```

```{{ojs}}
//| echo: false
years = [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b)
```

```{{ojs}}
//| echo: false
forbundIds = [...new Set(rows.filter((r) => r.forbund !== "riket").map((r) => r.forbund))]
  .sort((a, b) => name(a).localeCompare(name(b), "sv"))
```

```{{ojs}}
//| echo: false
indicatorIds = [...new Set(rows.map((r) => r.indicator))].filter((i) => rows.some((r) => r.indicator === i && r.reason !== "no_answers")).sort((a, b) => a - b)
```

```{{ojs}}
//| echo: false
// The first choice may come from the address (?forbund=…&indikator=…&kon=…&ar=…), so a view can be linked.
function pick(key, allowed, fallback) {{
  const value = new URLSearchParams(window.location.search).get(key);
  const hit = allowed.find((a) => String(a) === value);
  return hit === undefined ? fallback : hit;
}}
```

```{{ojs}}
//| echo: false
function name(f) {{ return f === "riket" ? labels.national : (labels.forbund[f] || f); }}
```

```{{ojs}}
//| echo: false
// A förbund in the chart's narrow label column: without the common "Samordningsförbundet".
function shortName(f) {{ return name(f).replace(/^Samordningsförbundet\\s+/, ""); }}
```

```{{ojs}}
//| echo: false
function indicatorName(i) {{ return `${{i}}. ${{labels.indicators[String(i)] || ""}}`; }}
```

::: {{.finsam-controls}}

```{{ojs}}
//| echo: false
viewof forbund = selectInput("Förbund", forbundIds.map((f) => [f, name(f)]), pick("forbund", forbundIds, forbundIds[0]))
```

```{{ojs}}
//| echo: false
viewof indicator = selectInput("Indikator", indicatorIds.map((i) => [i, indicatorName(i)]), pick("indikator", indicatorIds, indicatorIds[0]))
```

```{{ojs}}
//| echo: false
viewof gender = radioInput("Kön", [["alla", labels.views.alla], ["kvinna", labels.views.kvinna], ["man", labels.views.man]], pick("kon", ["alla", "kvinna", "man"], "alla"))
```

:::

```{{ojs}}
//| echo: false
chosen = rows.filter((r) => r.indicator === +indicator && r.gender === gender)
```

```{{ojs}}
//| echo: false
function row(f, y) {{ return chosen.find((r) => r.forbund === f && r.year === y); }}
```

```{{ojs}}
//| echo: false
// Series breaks of the chosen förbund (as the reports): the catalogue's questions changed that year, or
// both years are shown but the year has no comparison with the year before (other groups or questions pooled).
function breakKind(f, yr) {{
  const r = row(f, yr), prev = row(f, yr - 1);
  if (!r || !prev) return "";
  if ((labels.breaks[String(indicator)] || []).includes(yr)) return "questions";
  if (r.share == null || prev.share == null || r.diffPrev != null) return "";
  const groups = (x) => [...new Set(x.questions.split("|").filter(Boolean).map((q) => labels.questionGroup[q] || q))].sort().join("|");
  return groups(r) === groups(prev) ? "other" : "groups";
}}
```

```{{ojs}}
//| echo: false
breaks = years.map((yr) => [yr, breakKind(forbund, yr)]).filter(([, kind]) => kind)
```

```{{ojs}}
//| echo: false
// One sentence explaining the marks that occur (as in the reports).
function breakNote(found) {{
  const kinds = new Set(found.map(([, kind]) => kind));
  const parts = [];
  for (const mark of [...new Set(Object.values(labels.breakMarks).map((b) => b.mark))]) {{
    const words = Object.entries(labels.breakMarks).filter(([k, b]) => b.mark === mark && kinds.has(k)).map(([, b]) => b.text);
    if (words.length) parts.push(`\u201d${{mark}}\u201d = ${{words.join(" eller ")}}`);
  }}
  return parts.length ? `<p class="finsam-note">${{esc(parts.join("; "))}}. ${{esc(labels.breakConsequence)}}</p>` : "";
}}
```

## Över åren mot riket

```{{ojs}}
//| echo: false
trend = {{
  // A year without a value says so under its axis label ("dold", "inga data"), never in the plot.
  const w = Math.min(width, 760), h = 310, m = {{top: 16, right: 16, bottom: 50, left: 48}};
  const x = (i) => m.left + (i + 0.5) * (w - m.left - m.right) / years.length;
  const y = (v) => m.top + (1 - v) * (h - m.top - m.bottom);
  const parts = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {{
    parts.push(`<line x1="${{m.left}}" x2="${{w - m.right}}" y1="${{y(t)}}" y2="${{y(t)}}" stroke="#d9d9d9"/>`);
    parts.push(`<text x="${{m.left - 6}}" y="${{y(t) + 4}}" text-anchor="end" font-size="12" fill="#333">${{pct(t)}}</text>`);
  }}
  let drawn = false;
  const step = (w - m.left - m.right) / years.length;
  for (const [yr, kind] of breaks) {{
    const bx = x(years.indexOf(yr)) - step / 2;
    parts.push(`<line x1="${{bx}}" x2="${{bx}}" y1="${{m.top}}" y2="${{h - m.bottom}}" stroke="#555" stroke-width="1.5" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${{bx}}" y="${{m.top - 4}}" text-anchor="middle" font-size="12" fill="#333">${{esc(labels.breakMarks[kind].mark)}}</text>`);
  }}
  years.forEach((yr, i) => {{
    const r = row(forbund, yr), nat = row("riket", yr);
    parts.push(`<text x="${{x(i)}}" y="${{h - m.bottom + 18}}" text-anchor="middle" font-size="12" fill="#333">${{yr}}</text>`);
    const noNational = r && r.nationalReason === "few_forbund";
    if (nat && nat.share != null && !noNational) {{
      drawn = true;
      parts.push(`<line x1="${{x(i) - 22}}" x2="${{x(i) + 22}}" y1="${{y(nat.share)}}" y2="${{y(nat.share)}}" stroke="#b35900" stroke-width="3" stroke-dasharray="6 3"/>`);
    }}
    if (!r) {{
      parts.push(`<text x="${{x(i)}}" y="${{h - m.bottom + 34}}" text-anchor="middle" font-size="12" fill="#555">inga data</text>`);
    }} else if (r.share == null) {{
      parts.push(`<text x="${{x(i)}}" y="${{h - m.bottom + 34}}" text-anchor="middle" font-size="12" fill="#555">dold</text>`);
    }} else {{
      if (r.low != null && r.high != null) {{
        parts.push(`<line x1="${{x(i)}}" x2="${{x(i)}}" y1="${{y(r.low)}}" y2="${{y(r.high)}}" stroke="#1f4e79" stroke-width="2"/>`);
        for (const v of [r.low, r.high]) parts.push(`<line x1="${{x(i) - 6}}" x2="${{x(i) + 6}}" y1="${{y(v)}}" y2="${{y(v)}}" stroke="#1f4e79" stroke-width="2"/>`);
      }}
      parts.push(`<circle cx="${{x(i)}}" cy="${{y(r.share)}}" r="6" fill="#1f4e79"/>`);
      parts.push(`<text x="${{x(i) + 10}}" y="${{y(r.share) + 4}}" font-size="12" fill="#1f4e79">${{pct(r.share)}}</text>`);
    }}
  }});
  const alt = `${{name(forbund)}}, ${{indicatorName(indicator)}}, ${{labels.views[gender].toLowerCase()}}: nyckeltal per år med ${{labels.level}}-konfidensintervall och riksvärdet.`;
  return html`<figure class="finsam-figure"><svg role="img" aria-label="${{esc(alt)}}" width="${{w}}" height="${{h}}" viewBox="0 0 ${{w}} ${{h}}" font-family="sans-serif">${{parts.join("")}}</svg>
<figcaption><span class="finsam-key"><svg width="28" height="14" aria-hidden="true"><line x1="14" x2="14" y1="1" y2="13" stroke="#1f4e79" stroke-width="2"/><circle cx="14" cy="7" r="5" fill="#1f4e79"/></svg> ${{esc(name(forbund))}} (punkt = nyckeltal, linje = ${{esc(labels.level)}}-konfidensintervall)</span>
${{drawn ? `<span class="finsam-key"><svg width="28" height="14" aria-hidden="true"><line x1="1" x2="27" y1="7" y2="7" stroke="#b35900" stroke-width="3" stroke-dasharray="6 3"/></svg> Riket</span>` : ""}}
${{breaks.length ? `<span class="finsam-key"><svg width="28" height="14" aria-hidden="true"><line x1="14" x2="14" y1="0" y2="14" stroke="#555" stroke-width="1.5" stroke-dasharray="4 3"/></svg> Brott i serien</span>` : ""}}</figcaption></figure>`;
}}
```

```{{ojs}}
//| echo: false
trendTable = {{
  const body = years.map((yr) => {{
    const r = row(forbund, yr), nat = row("riket", yr);
    const noNational = r && r.nationalReason === "few_forbund";
    const own = !r ? "inga data" : r.share == null ? esc(reasonText(r)) : `${{pct(r.share)}} (${{interval(r.low, r.high)}})${{r.caveat ? ", " + esc(r.caveat) : ""}}`;
    const n = r && r.n != null ? number(r.n) : "\\u2013";
    const national = noNational ? "ingen jämförelse" : !nat ? "\\u2013" : nat.share == null ? esc(reasonText(nat)) : `${{pct(nat.share)}} (${{interval(nat.low, nat.high)}})`;
    const diff = r && r.diff != null && !noNational ? `${{number(r.diff * 100, 1, true)}}\\u00a0p.e.${{r.label ? " (" + esc(r.label.toLowerCase()) + ")" : ""}}` : "\\u2013";
    const kind = breakKind(forbund, yr);
    return `<tr><th scope="row">${{kind ? esc(labels.breakMarks[kind].mark) + " " : ""}}${{yr}}</th><td>${{own}}</td><td class="num">${{n}}</td><td>${{national}}</td><td>${{diff}}</td></tr>`;
  }}).join("");
  const few = years.filter((yr) => {{ const r = row(forbund, yr); return r && r.nationalReason === "few_forbund"; }});
  const note = few.length ? `<p class="finsam-note">Ingen jämförelse med riket ${{few.join(" och ")}}: data för året innehåller för få förbund för ett rikssnitt.</p>` : "";
  return html`<div><table class="table table-sm finsam-table"><caption>${{esc(name(forbund))}}: ${{esc(indicatorName(indicator))}}, ${{esc(labels.views[gender].toLowerCase())}}. KI = ${{esc(labels.level)}}-konfidensintervall; n = antal svar.</caption>
<thead><tr><th scope="col">År</th><th scope="col">Nyckeltal (KI)</th><th scope="col">n</th><th scope="col">Riket (KI)</th><th scope="col">Skillnad mot riket</th></tr></thead><tbody>${{body}}</tbody></table>${{breakNote(breaks)}}${{note}}</div>`;
}}
```

## Mot de andra förbunden

```{{ojs}}
//| echo: false
viewof year = selectInput("År", years.slice().reverse().map((y) => [y, String(y)]), pick("ar", years, years[years.length - 1]))
```

```{{ojs}}
//| echo: false
spread = {{
  const yr = +year;
  const shown = chosen.filter((r) => r.year === yr && r.forbund !== "riket" && r.share != null).sort((a, b) => b.share - a.share || name(a.forbund).localeCompare(name(b.forbund), "sv"));
  const hidden = chosen.filter((r) => r.year === yr && r.forbund !== "riket" && r.share == null).sort((a, b) => name(a.forbund).localeCompare(name(b.forbund), "sv"));
  const own = chosen.find((r) => r.year === yr && r.forbund === forbund);
  const nat = row("riket", yr);
  const noNational = own ? own.nationalReason === "few_forbund" : shown.some((r) => r.nationalReason === "few_forbund");
  const w = Math.min(width, 760), rowH = 24, m = {{top: 10, right: 60, bottom: 34, left: Math.min(240, w * 0.4)}};
  const h = m.top + m.bottom + Math.max(1, shown.length) * rowH;
  const x = (v) => m.left + v * (w - m.left - m.right);
  const parts = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {{
    parts.push(`<line x1="${{x(t)}}" x2="${{x(t)}}" y1="${{m.top}}" y2="${{h - m.bottom}}" stroke="#d9d9d9"/>`);
    parts.push(`<text x="${{x(t)}}" y="${{h - m.bottom + 16}}" text-anchor="middle" font-size="12" fill="#333">${{pct(t)}}</text>`);
  }}
  if (nat && nat.share != null && !noNational) {{
    parts.push(`<line x1="${{x(nat.share)}}" x2="${{x(nat.share)}}" y1="${{m.top - 4}}" y2="${{h - m.bottom}}" stroke="#b35900" stroke-width="3" stroke-dasharray="6 3"/>`);
  }}
  shown.forEach((r, i) => {{
    const cy = m.top + (i + 0.5) * rowH, mine = r.forbund === forbund;
    const colour = mine ? "#1f4e79" : "#595959";
    parts.push(`<text x="${{m.left - 8}}" y="${{cy + 4}}" text-anchor="end" font-size="12" fill="${{colour}}"${{mine ? ' font-weight="bold"' : ""}}>${{esc(shortName(r.forbund))}}</text>`);
    if (r.low != null && r.high != null) parts.push(`<line x1="${{x(r.low)}}" x2="${{x(r.high)}}" y1="${{cy}}" y2="${{cy}}" stroke="${{colour}}" stroke-width="${{mine ? 3 : 1.5}}"/>`);
    parts.push(mine ? `<circle cx="${{x(r.share)}}" cy="${{cy}}" r="6" fill="${{colour}}"/>` : `<circle cx="${{x(r.share)}}" cy="${{cy}}" r="4" fill="white" stroke="${{colour}}" stroke-width="2"/>`);
    parts.push(`<text x="${{w - m.right + 8}}" y="${{cy + 4}}" font-size="12" fill="${{colour}}"${{mine ? ' font-weight="bold"' : ""}}>${{pct(r.share)}}</text>`);
  }});
  if (!shown.length) parts.push(`<text x="${{x(0.5)}}" y="${{m.top + rowH / 2 + 4}}" text-anchor="middle" font-size="12" fill="#555">Inget förbund har ett redovisat värde detta år.</text>`);
  const alt = `${{indicatorName(indicator)}}, ${{labels.views[gender].toLowerCase()}}, ${{yr}}: nyckeltal med ${{labels.level}}-konfidensintervall för varje förbund med redovisat värde, ${{name(forbund)}} markerat.`;
  const list = hidden.map((r) => `<li>${{esc(name(r.forbund))}}: ${{esc(reasonText(r))}}</li>`).join("");
  const ownNote = own && own.share == null ? `<p class="finsam-note"><strong>${{esc(name(forbund))}}</strong> ${{yr}}: ${{esc(reasonText(own))}}.</p>` : !own ? `<p class="finsam-note"><strong>${{esc(name(forbund))}}</strong> har inga data ${{yr}}.</p>` : "";
  const natKey = nat && nat.share != null && !noNational
    ? `<span class="finsam-key"><svg width="28" height="14" aria-hidden="true"><line x1="14" x2="14" y1="0" y2="14" stroke="#b35900" stroke-width="3" stroke-dasharray="4 2"/></svg> Riket ${{pct(nat.share)}}</span>`
    : `<span class="finsam-key">${{noNational ? "Ingen jämförelse med riket: data för året innehåller för få förbund." : nat && nat.share == null ? "Riket: " + esc(reasonText(nat)) : ""}}</span>`;
  return html`<div><figure class="finsam-figure"><svg role="img" aria-label="${{esc(alt)}}" width="${{w}}" height="${{h}}" viewBox="0 0 ${{w}} ${{h}}" font-family="sans-serif">${{parts.join("")}}</svg>
<figcaption><span class="finsam-key"><svg width="28" height="14" aria-hidden="true"><circle cx="14" cy="7" r="5" fill="#1f4e79"/></svg> ${{esc(name(forbund))}}</span>
<span class="finsam-key"><svg width="28" height="14" aria-hidden="true"><circle cx="14" cy="7" r="4" fill="white" stroke="#595959" stroke-width="2"/></svg> Övriga förbund (linje = ${{esc(labels.level)}}-konfidensintervall)</span> ${{natKey}}</figcaption></figure>
${{ownNote}}${{list ? `<p class="finsam-note">Förbund utan redovisat värde ${{yr}}:</p><ul class="finsam-hidden">${{list}}</ul>` : ""}}</div>`;
}}
```
"""
