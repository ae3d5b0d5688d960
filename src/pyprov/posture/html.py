r"""The posture report as one self-contained HTML page: no script, no external resource.

Every string comes from hostile files (artifact names, signer identities, reasons) and is
escaped twice over: control and format characters as ``\xNN`` (as on a terminal, so a
bidirectional override cannot reorder a line), then HTML's special characters. The
summary bars are plain ``<div>`` widths with the count written beside them, readable
without colour. With several releases, each property also gets a trend line: an inline SVG
(no script), a point per release at its share ``have/checked``, labelled with the counts.
"""

from __future__ import annotations

from html import escape

from pyprov._internal.terminal import printable
from pyprov.posture.model import Count, Item, PostureReport, ReleasePosture

_CSP = (
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
)
_MARKS = {"yes": "✓ yes", "no": "✗ no", "unknown": "? unknown"}
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #111; background: #fff; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #999; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.yes { background: #e6f4e6; } td.no { background: #fbe9e9; } td.unknown { background: #f2f2f2; }
.bar { background: #ddd; width: 20em; height: 1em; border: 1px solid #6b46c1; }
.bar div { background: #2b6cb0; height: 100%; }
small { color: #444; }
svg.trend text { font: 11px system-ui, sans-serif; fill: #111; }
"""
# The trend chart's geometry, in SVG user units (= CSS pixels): the plot is the frame's inside.
CHART_WIDTH, CHART_HEIGHT = 360, 130
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 40, 340, 20, 100
FRAME_PAD = 6
"""The frame is this far outside the plot, so that a line at 0 % or 100 % does not hide it."""
LINE_COLOUR, POINT_COLOUR, FRAME_COLOUR = "#555555", "#d9480f", "#6b46c1"


def _text(value: object) -> str:
    return escape(printable(str(value)), quote=True)


def render_html(report: PostureReport, *, title: str = "pyprov posture") -> str:
    """The whole page for ``report``: the summary (a bar per property), the trend, a table per item."""
    last = f" of {report.releases[-1].name}" if report.releases else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        _CSP,
        f"<title>{_text(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_text(title)}: {_text(report.subject)}</h1>",
        f"<p><small>trust: {_text(report.trust)}</small></p>",
        *(f"<p><small>note: {_text(note)}</small></p>" for note in report.notes),
        f"<h2>Summary{_text(last)}</h2>",
        (
            '<table id="summary"><tr><th>property</th><th>have</th><th>checked</th>'
            "<th>unknown</th><th></th><th>what is measured</th></tr>"
        ),
    ]
    for count in report.summary:
        width = _percent(count)
        parts.append(
            f"<tr><td>{_text(count.name)}</td><td>{count.have}</td><td>{count.checked}</td>"
            f"<td>{count.unknown}</td>"
            f'<td><div class="bar" role="img" aria-label="{width}%"><div style="width:{width}%"></div></div>'
            f"{width}%</td><td><small>{_text(count.description)}</small></td></tr>"
        )
    parts.append("</table>")
    if report.releases:
        parts += _trend(report.releases)
    properties = [count.name for count in report.summary]
    for release in report.releases or (None,):
        heading = f"Items of {_text(release.name)}" if release else "Items"
        items = release.items if release else report.items
        parts.append(f"<h2>{heading}</h2>")
        parts.append(_items_table(items, properties))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _percent(count: Count) -> int:
    return 100 * count.have // count.checked if count.checked else 0


def _items_table(items: tuple[Item, ...], properties: list[str]) -> str:
    rows = [
        '<table class="items"><tr><th>item</th>'
        + "".join(f"<th>{_text(p)}</th>" for p in properties)
        + "</tr>"
    ]
    for item in items:
        cells = []
        for name in properties:
            fact = item.fact(name)
            if fact is None:
                cells.append('<td class="unknown">? unknown</td>')
            else:
                value = f"<small>{_text(fact.value)}</small>"
                cells.append(f'<td class="{fact.status}">{_MARKS[fact.status]}<br>{value}</td>')
        rows.append(f"<tr><th>{_text(item.name)}</th>{''.join(cells)}</tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _trend(releases: tuple[ReleasePosture, ...]) -> list[str]:
    """A row per property: its counts per release, and a line through each release's share."""
    names = [release.name for release in releases]
    parts = [
        f"<h2>Trend over {len(releases)} releases</h2>",
        f"<p><small>{_TREND_NOTE}</small></p>",
        '<table id="trend"><tr><th>property</th>'
        + "".join(f"<th>{_text(name)}</th>" for name in names)
        + "<th>trend</th></tr>",
    ]
    for row, count in enumerate(releases[-1].summary):
        counts = [release.summary[row] for release in releases]
        cells = "".join(f"<td>{_label(item)}</td>" for item in counts)
        parts.append(
            f"<tr><td>{_text(count.name)}</td>{cells}<td>{_chart(count.name, counts, names)}</td></tr>"
        )
    parts.append("</table>")
    return parts


_TREND_NOTE = (
    "Each point is the share of checked items that have the property (have/checked, written beside "
    "it; +N? counts the items that could not be checked). A release where nothing could be checked "
    "has no point."
)


def _label(count: Count) -> str:
    text = f"{count.have}/{count.checked}"
    return text + (f" +{count.unknown}?" if count.unknown else "")


def _chart(name: str, counts: list[Count], releases: list[str]) -> str:
    """An inline SVG line chart: x a release (in order), y the share 0-100 % of checked items."""
    step = (PLOT_RIGHT - PLOT_LEFT) / max(len(counts) - 1, 1)
    points = []
    for index, count in enumerate(counts):
        if count.checked:
            y = PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * count.have / count.checked
            points.append((PLOT_LEFT + index * step, y, _label(count)))
    described = ", ".join(
        f"{release}: {_label(count)}" for release, count in zip(releases, counts, strict=True)
    )
    label = _text(f"{name}: {described}")
    box = f'width="{CHART_WIDTH}" height="{CHART_HEIGHT}" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}"'
    frame = (
        f'x="{PLOT_LEFT - FRAME_PAD}" y="{PLOT_TOP - FRAME_PAD}" '
        f'width="{PLOT_RIGHT - PLOT_LEFT + 2 * FRAME_PAD}" height="{PLOT_BOTTOM - PLOT_TOP + 2 * FRAME_PAD}"'
    )
    svg = [
        f'<svg class="trend" {box} role="img" aria-label="{label}"><title>{label}</title>',
        f'<rect {frame} fill="none" stroke="{FRAME_COLOUR}" shape-rendering="crispEdges"/>',
        f'<text x="{PLOT_LEFT - FRAME_PAD - 3}" y="{PLOT_TOP + 4}" text-anchor="end">100%</text>',
        f'<text x="{PLOT_LEFT - FRAME_PAD - 3}" y="{PLOT_BOTTOM + 4}" text-anchor="end">0%</text>',
    ]
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        svg.append(f'<polyline points="{path}" fill="none" stroke="{LINE_COLOUR}" stroke-width="1.5"/>')
    for x, y, label in points:
        svg.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{POINT_COLOUR}"/>')
        anchor_y = y - 7 if y > PLOT_TOP + 12 else y + 15
        svg.append(f'<text x="{x:.1f}" y="{anchor_y:.1f}" text-anchor="middle">{_text(label)}</text>')
    for index, release in enumerate(releases):
        short = release if len(release) <= 14 else release[:13] + "…"  # noqa: PLR2004
        x, y = PLOT_LEFT + index * step, PLOT_BOTTOM + FRAME_PAD + 16
        svg.append(f'<text x="{x:.1f}" y="{y}" text-anchor="middle">{_text(short)}</text>')
    svg.append("</svg>")
    return "".join(svg)
