"""report.html: one self-contained file to look at the dataset, offline.

A map of the partners (points on the country outlines of `worldmap`, inline SVG), a
timeline of partnerships by start year and protocol type, counts per commune, country,
protocol and domain, and the table of rows: a click on a row (or `report.html#<id>`)
shows its evidence highlighted inside the page's main text (offsets of
`evidence_spans`). Nothing is fetched when it is viewed: no tiles, fonts or scripts from
elsewhere, and a Content-Security-Policy that forbids them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape

from pipeline.models import Partnership
from pipeline.schema import PROTOCOL_TYPES
from pipeline.stages.s8_export.worldmap import HEIGHT, WIDTH, country_paths, project

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
COLOURS = {
    "twinning": "#1f77b4",
    "friendship": "#ff7f0e",
    "cooperation_agreement": "#2ca02c",
    "development_cooperation": "#d62728",
    "memorandum": "#9467bd",
    "network_membership": "#8c564b",
    "unspecified": "#7f7f7f",
}

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}
svg{max-width:100%;height:auto;background:#f7fbff;border:1px solid #ddd}
.land{fill:#e4e4e4;stroke:#fff;stroke-width:.5}.land.partner{fill:#9ecae1}
.pt{fill:#d62728;fill-opacity:.8;stroke:#fff;stroke-width:.6;cursor:pointer}
.counts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}.counts table{min-width:200px}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #eee}
td.n{text-align:right}#rows tbody tr{cursor:pointer}#rows tbody tr:hover{background:#f0f6ff}
#rows tbody tr.sel{background:#dbe9ff}#rows td:nth-child(9),#rows td:nth-child(10){white-space:nowrap}
.legend span{display:inline-block;margin-right:12px}\
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
#evidence-text{white-space:pre-wrap;max-height:420px;overflow:auto;border:1px solid #ddd;padding:8px;background:#fafafa}
mark{background:#ffe066}
"""

SCRIPT = r"""
(function(){
  var data = JSON.parse(document.getElementById('report-data').textContent);
  function show(id){
    var row = data.rows[id]; if(!row){return;}
    document.querySelectorAll('#rows tbody tr.sel').forEach(function(tr){tr.classList.remove('sel');});
    var tr = document.getElementById('row-' + id); if(tr){tr.classList.add('sel');}
    var meta = document.getElementById('evidence-meta'), box = document.getElementById('evidence-text');
    meta.textContent = row.commune + ' \u2014 ' + row.partner + ' (' + row.url + ')';
    box.textContent = '';
    var spans = (data.spans[id] || []).filter(function(s){return s[0] === row.url;});
    var text = data.pages[row.url];
    if(text === undefined || !spans.length){
      var m = document.createElement('mark'); m.textContent = row.evidence; box.appendChild(m);
      var note = document.createElement('p'); note.textContent = '(evidence not located in the page text)';
      box.appendChild(note); return;
    }
    var cps = Array.from(text), at = 0;  // offsets are Unicode code points
    spans.sort(function(a,b){return a[1]-b[1];});
    spans.forEach(function(s){
      if(s[1] < at){return;}
      box.appendChild(document.createTextNode(cps.slice(at, s[1]).join('')));
      var mk = document.createElement('mark'); mk.className = 'evidence';
      mk.textContent = cps.slice(s[1], s[2]).join(''); box.appendChild(mk); at = s[2];
    });
    box.appendChild(document.createTextNode(cps.slice(at).join('')));
    var first = box.querySelector('mark'); if(first){box.scrollTop = Math.max(0, first.offsetTop - box.offsetTop - 40);}
  }
  document.querySelectorAll('#rows tbody tr').forEach(function(tr){
    tr.addEventListener('click', function(){ location.hash = tr.dataset.id; show(tr.dataset.id); });
  });
  document.querySelectorAll('.pt').forEach(function(c){
    c.addEventListener('click', function(){ location.hash = c.dataset.id; show(c.dataset.id);
      document.getElementById('evidence').scrollIntoView(); });
  });
  window.addEventListener('hashchange', function(){ show(location.hash.slice(1)); });
  show(location.hash.slice(1) || data.first);
})();
"""


def _json_for_script(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def map_svg(rows: Sequence[Partnership]) -> str:
    countries = {r.country_code for r in rows if r.country_code}
    parts = [
        (
            f'<svg id="world-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="Map of the partners">'
        ),
        '<g class="countries">',
    ]
    for code, path in country_paths():
        cls = "land partner" if code in countries else "land"
        parts.append(f'<path class="{cls}" data-cc="{code}" d="{path}"/>')
    parts.append('</g><g class="partners">')
    for r in rows:
        if r.partner_latitude is None or r.partner_longitude is None:
            continue
        x, y = project(r.partner_longitude, r.partner_latitude)
        title = f"{r.partner} ({r.country_code}) \u2014 {r.commune}, {r.protocol_type}"
        parts.append(
            f'<circle class="pt" data-id="{escape(r.partnership_id)}" cx="{x:.1f}" cy="{y:.1f}" '
            f'r="3"><title>{escape(title)}</title></circle>'
        )
    parts.append("</g></svg>")
    return "".join(parts)


def timeline_svg(rows: Sequence[Partnership]) -> str:
    years = sorted({r.year for r in rows if r.year is not None})
    if not years:
        return '<p id="timeline-chart">No partnership states its start year.</p>'
    first, last = years[0], years[-1]
    span = last - first + 1
    width, height, left, bottom = 900, 220, 30, 24
    bar = max(1.0, (width - left - 10) / span)
    counts: Counter[tuple[int, str]] = Counter((r.year, r.protocol_type) for r in rows if r.year is not None)
    per_year = Counter(r.year for r in rows if r.year is not None)
    top = max(per_year.values())
    unit = (height - bottom - 10) / top
    parts = [
        (
            f'<svg id="timeline-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="Partnerships by start year">'
        )
    ]
    for year in range(first, last + 1):
        x = left + (year - first) * bar
        y = float(height - bottom)
        for protocol in PROTOCOL_TYPES:
            n = counts.get((year, protocol), 0)
            if not n:
                continue
            h = n * unit
            y -= h
            parts.append(
                f'<rect class="bar" data-year="{year}" data-protocol="{protocol}" x="{x:.1f}" '
                f'y="{y:.1f}" width="{max(bar - 1, 0.5):.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[protocol]}"><title>{year}: {n} {protocol}</title></rect>'
            )
    step = max(1, round(span / 12))
    for year in range(first, last + 1, step):
        x = left + (year - first) * bar + bar / 2
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="11" text-anchor="middle">{year}</text>')
    parts.append(f'<text x="4" y="14" font-size="11">{top}</text></svg>')
    legend = "".join(
        f'<span><i style="background:{COLOURS[p]}"></i>{p}</span>'
        for p in PROTOCOL_TYPES
        if any(k[1] == p for k in counts)
    )
    undated = sum(1 for r in rows if r.year is None)
    return "".join(parts) + f'<p class="legend">{legend}</p><p>{undated} partnerships state no start year.</p>'


def _count_table(title: str, counter: Counter[str]) -> str:
    body = "".join(
        f"<tr><td>{escape(k or '(unknown)')}</td><td class=n>{n}</td></tr>"
        for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return f"<table><thead><tr><th>{escape(title)}</th><th>rows</th></tr></thead><tbody>{body}</tbody></table>"


def counts_html(rows: Sequence[Partnership]) -> str:
    return (
        '<div class="counts">'
        + "".join(
            [
                _count_table("commune", Counter(r.commune for r in rows)),
                _count_table("country", Counter(r.country_code for r in rows)),
                _count_table("protocol type", Counter(r.protocol_type for r in rows)),
                _count_table("domain", Counter(d for r in rows for d in r.domains)),
            ]
        )
        + "</div>"
    )


def rows_html(rows: Sequence[Partnership]) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "commune",
            "partner",
            "country",
            "GeoNames",
            "protocol",
            "year",
            "status",
            "domains",
            "first seen",
            "last seen",
        )
    )
    body = []
    for r in rows:
        geo = "" if r.partner_geonames_id is None else str(r.partner_geonames_id)
        cells = (
            r.commune,
            r.partner,
            r.country_code,
            geo,
            r.protocol_type,
            "" if r.year is None else str(r.year),
            r.status,
            " ".join(r.domains),
            r.first_seen,
            r.last_seen,
        )
        pid = escape(r.partnership_id)
        body.append(f'<tr id="row-{pid}" data-id="{pid}">' + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return f'<table id="rows"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def report_data(rows: Sequence[Partnership], tables: Mapping[str, Sequence[Mapping[str, object]]]) -> dict:
    spans: dict[str, list[list[object]]] = {}
    for s in tables.get("evidence_spans", ()):
        spans.setdefault(str(s["partnership_id"]), []).append([s["source_url"], s["start"], s["end"]])
    pages = {str(p["source_url"]): p["text"] for p in tables.get("pages", ())}
    located = {}
    for r in rows:
        urls = r.source_url.split()
        with_span = [u for u in urls if any(s[0] == u for s in spans.get(r.partnership_id, ()))]
        located[r.partnership_id] = {
            "commune": r.commune,
            "partner": r.partner,
            "evidence": r.evidence,
            "url": (with_span or urls or [""])[0],
        }
    return {"rows": located, "spans": spans, "pages": pages, "first": rows[0].partnership_id if rows else ""}


def report_html(rows: Sequence[Partnership], tables: Mapping[str, Sequence[Mapping[str, object]]], today: str) -> bytes:
    communes = len({r.commune_nis or r.commune for r in rows})
    countries = len({r.country_code for r in rows if r.country_code})
    placed = sum(1 for r in rows if r.partner_latitude is not None)
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>International partnerships of Belgian communes</title>
<style>{STYLE}</style></head>
<body>
<h1>International partnerships of Belgian communes</h1>
<p id="summary">{len(rows)} partnerships of {communes} communes with partners in {countries} countries;
dataset of {escape(today)}. {placed} partners are placed on the map (GeoNames, CC BY 4.0).</p>
<section id="map"><h2>Partners on the map</h2>{map_svg(rows)}
<p>Country outlines: Natural Earth (public domain) via the countryinfo package. A dot is a partner town;
click it for its evidence.</p></section>
<section id="timeline"><h2>Partnerships by start year and protocol type</h2>{timeline_svg(rows)}</section>
<section id="counts"><h2>Counts</h2>{counts_html(rows)}</section>
<section id="table"><h2>Partnerships</h2><p>Click a row to see its evidence in its page.</p>{rows_html(rows)}</section>
<section id="evidence"><h2>Evidence</h2><p id="evidence-meta"></p><div id="evidence-text"></div></section>
<script type="application/json" id="report-data">{_json_for_script(report_data(rows, tables))}</script>
<script>{SCRIPT}</script>
</body></html>
"""
    return html.encode("utf-8")
