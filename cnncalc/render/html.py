"""`summary --format html`: one self-contained page — no network access, no external file.

Title and description, the diagram (inline SVG), every layer with bars for params, MACs and
memory, the warnings and notes, the totals. Columns sort on a click through a few lines of
inline script; without script the page is the same table in execution order.
"""

from __future__ import annotations

from html import escape

from ..engine.analysis import Analysis
from ..engine.figures import BYTES_PER_VALUE
from ..engine.shapes import shape_str
from ..engine.text import human_bytes
from .report import messages, totals

STYLE = """
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:2em;color:#111;max-width:80em}
h1{margin-bottom:.2em}.description{color:#555;margin-top:0}
.diagram{overflow:auto;max-height:40em;border:1px solid #ddd;padding:.5em;margin:1em 0}
table{border-collapse:collapse;font-size:.85em}th,td{padding:.15em .6em;text-align:left}
thead th{border-bottom:2px solid #333;cursor:pointer;user-select:none;white-space:nowrap}
tbody tr:nth-child(even){background:#f6f6f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:.7em;margin-left:.4em;vertical-align:middle;min-width:1px}
.params{background:#f6bd60}.macs{background:#84a59d}.memory{background:#cdb4db}
.messages li{margin:.2em 0}.warning{color:#8a5a00}.error{color:#b00020}.note{color:#335}
.totals td:nth-child(2){text-align:right;font-variant-numeric:tabular-nums}
"""

# Sort the layer table by a column on click (numbers by data-v, text otherwise); a second
# click reverses. The page needs none of it.
SCRIPT = """
document.querySelectorAll("table.layers th").forEach(function(th, col){
  th.addEventListener("click", function(){
    var body = th.closest("table").tBodies[0], rows = Array.from(body.rows);
    var dir = th.dataset.dir === "1" ? -1 : 1; th.dataset.dir = dir === 1 ? "1" : "-1";
    rows.sort(function(a, b){
      var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
      if (x !== undefined) return dir * (Number(x) - Number(y));
      return dir * a.cells[col].textContent.localeCompare(b.cells[col].textContent);
    });
    rows.forEach(function(r){ body.appendChild(r); });
  });
});
"""

BARS = (("params", "params"), ("MACs", "macs"), ("memory", "memory"))


def to_html(analysis: Analysis, columns=(), chw: bool = False, keras: bool = False,
            verified: bool = False, svg: str | None = None) -> str:
    """The report page; `svg` is the diagram (drawn here when not given)."""
    if svg is None:
        from .diagram import diagram, to_svg

        svg = to_svg(diagram(analysis))
    svg = svg[svg.index("<svg"):]  # inline: no XML declaration
    title = escape(analysis.name)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{title} — cnncalc report</title>", f"<style>{STYLE}</style></head><body>",
             f"<h1>{title}</h1>"]
    if analysis.network.description:
        parts.append(f'<p class="description">{escape(analysis.network.description)}</p>')
    parts += ['<h2>Diagram</h2>', f'<div class="diagram" id="diagram">{svg}</div>',
              _layer_table(analysis, chw, keras, verified), _messages(analysis),
              _totals(analysis, keras), f"<script>{SCRIPT}</script>", "</body></html>", ""]
    return "\n".join(parts)


def _layer_table(analysis: Analysis, chw: bool, keras: bool, verified: bool) -> str:
    def params(row):
        return row.params + (row.buffers if keras else 0)

    def memory(row):
        return row.neurons * BYTES_PER_VALUE * analysis.batch

    figures = {"params": params, "macs": lambda row: row.macs, "memory": memory}
    largest = {key: max((get(row) for row in analysis.rows), default=0) or 1
               for key, get in figures.items()}
    head = ["#", "layer", "type", "output", *(title for title, _ in BARS), "fits"]
    if verified:
        head.append("verified")
    lines = ['<h2>Layers</h2>', '<table class="layers" id="layers"><thead><tr>',
             "".join(f"<th>{name}</th>" for name in head), "</tr></thead><tbody>"]
    for number, row in enumerate(analysis.rows, 1):
        cells = [f'<td class="n" data-v="{number}">{number}</td>',
                 f"<td>{escape(row.path)}</td>", f"<td>{escape(row.description)}</td>",
                 f"<td>{escape(shape_str(row.output, chw=chw, times='×'))}</td>"]
        for _, key in BARS:
            value = figures[key](row)
            text = human_bytes(value) if key == "memory" else f"{value:,}"
            width = 6.0 * value / largest[key]
            cells.append(f'<td class="n" data-v="{value}">{text}<span class="bar {key}" '
                         f'style="width:{width:.2f}em"></span></td>')
        cells.append(f"<td>{ {True: '✓', False: '⚠', None: ''}[row.fits] }</td>")
        if verified:
            cells.append(f"<td>{ {True: '✓', False: '✗', None: ''}[row.verified] }</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _messages(analysis: Analysis) -> str:
    found = messages(analysis)
    if not found:
        return "<h2>Warnings and notes</h2><p>None: every layer fits exactly.</p>"
    items = "".join(f'<li class="{m.kind}">{m.mark} {escape(m.text)}</li>' for m in found)
    return f'<h2>Warnings and notes</h2><ul class="messages" id="messages">{items}</ul>'


def _totals(analysis: Analysis, keras: bool) -> str:
    rows = "".join(f"<tr><td>{escape(name)}</td><td>{escape(value)}</td>"
                   f"<td>{escape(remark)}</td></tr>" for name, value, remark in
                   totals(analysis, keras))
    return f'<h2>Totals</h2><table class="totals" id="totals">{rows}</table>'


__all__ = ["to_html"]
