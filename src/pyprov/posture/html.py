r"""The posture report as one self-contained HTML page: no script, no external resource.

Every string comes from hostile files (artifact names, signer identities, reasons) and is
escaped twice over: control and format characters as ``\xNN`` (as on a terminal, so a
bidirectional override cannot reorder a line), then HTML's special characters. The
summary bars are plain ``<div>`` widths with the count written beside them, readable
without colour.
"""

from __future__ import annotations

from html import escape

from pyprov._internal.terminal import printable
from pyprov.posture.model import PostureReport

_CSP = (
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
)
_MARKS = {"yes": "✓ yes", "no": "✗ no", "unknown": "? unknown"}
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #111; background: #fff; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #999; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.yes { background: #e6f4e6; } td.no { background: #fbe9e9; } td.unknown { background: #f2f2f2; }
.bar { background: #ddd; width: 20em; height: 1em; border: 1px solid #666; }
.bar div { background: #2b6cb0; height: 100%; }
small { color: #444; }
"""


def _text(value: object) -> str:
    return escape(printable(str(value)), quote=True)


def render_html(report: PostureReport, *, title: str = "pyprov posture") -> str:
    """The whole page for ``report``: the summary (a bar per property) and a table per item."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        _CSP,
        f"<title>{_text(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_text(title)}: {_text(report.subject)}</h1>",
        f"<p><small>trust: {_text(report.trust)}</small></p>",
        *(f"<p><small>note: {_text(note)}</small></p>" for note in report.notes),
        "<h2>Summary</h2>",
        (
            '<table id="summary"><tr><th>property</th><th>have</th><th>checked</th>'
            "<th>unknown</th><th></th><th>what is measured</th></tr>"
        ),
    ]
    for count in report.summary:
        width = 100 * count.have // count.checked if count.checked else 0
        parts.append(
            f"<tr><td>{_text(count.name)}</td><td>{count.have}</td><td>{count.checked}</td>"
            f"<td>{count.unknown}</td>"
            f'<td><div class="bar" role="img" aria-label="{width}%"><div style="width:{width}%"></div></div>'
            f"{width}%</td><td><small>{_text(count.description)}</small></td></tr>"
        )
    parts.append("</table><h2>Items</h2>")
    properties = [count.name for count in report.summary]
    parts.append(
        '<table id="items"><tr><th>item</th>' + "".join(f"<th>{_text(p)}</th>" for p in properties) + "</tr>"
    )
    for item in report.items:
        cells = []
        for name in properties:
            fact = item.fact(name)
            if fact is None:
                cells.append('<td class="unknown">? unknown</td>')
            else:
                value = f"<small>{_text(fact.value)}</small>"
                cells.append(f'<td class="{fact.status}">{_MARKS[fact.status]}<br>{value}</td>')
        parts.append(f"<tr><th>{_text(item.name)}</th>{''.join(cells)}</tr>")
    parts.append("</table></body></html>")
    return "\n".join(parts) + "\n"
