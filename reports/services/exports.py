"""Report output besides JSON: an SVG chart of a learner's results against the activity, and
a CSV export of an activity's reports."""

import csv
import io
from xml.sax.saxutils import escape

from reports.models import ReportActivity
from reports.services import levels

PANEL_WIDTH, PANEL_HEIGHT = 480, 190
PLOT_LEFT, PLOT_TOP, PLOT_WIDTH, PLOT_HEIGHT = 40, 46, 420, 110
LEVEL_COLOURS = {
    levels.LEVEL_OK: "#2e7d32",
    levels.LEVEL_WARNING: "#ef6c00",
    levels.LEVEL_ALERT: "#c62828",
}
NEUTRAL_COLOUR = "#1565c0"


def _x(percent: float) -> float:
    return PLOT_LEFT + PLOT_WIDTH * max(0.0, min(100.0, percent)) / 100


def _instrument_level(row) -> int:
    """The instrument's own level: the one on the dimensions it covers."""
    covered = [
        value
        for value in (row.identity_level, row.content_level, row.integrity_level)
        if value != levels.LEVEL_NO_INFORMATION
    ]
    return max(covered) if covered else levels.LEVEL_NO_INFORMATION


def _panel(row, *, top: int, histogram: list[int], provider) -> list[str]:
    """One instrument: the activity's histogram as bars, the learner's bin highlighted, a line
    at the learner's result and dashed lines at the provider's thresholds."""
    name = f"{row.instrument.name} ({row.instrument.acronym})"
    title = (
        f"{name}: result {row.result} %, confidence {row.confidence} %"
        if row.confidence
        else f"{name}: no processed result yet"
    )
    parts = [
        f'<g transform="translate(0,{top})">',
        f'<text x="{PLOT_LEFT}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<text x="{PLOT_LEFT}" y="38" font-size="11" fill="#555">'
        "Bars: results of all learners in this activity; highlighted: the learner's bin</text>",
        f'<rect x="{PLOT_LEFT}" y="{PLOT_TOP}" width="{PLOT_WIDTH}" height="{PLOT_HEIGHT}" '
        'fill="none" stroke="#999"/>',
    ]
    total = sum(histogram)
    tallest = max(histogram) if total else 0
    learner_bin = levels.result_bin(row.result)
    colour = LEVEL_COLOURS.get(_instrument_level(row), NEUTRAL_COLOUR)
    bar_width = PLOT_WIDTH / 10
    for index, count in enumerate(histogram):
        height = PLOT_HEIGHT * count / tallest if tallest else 0
        fill = colour if (row.confidence and index == learner_bin) else "#b0bec5"
        parts.append(
            f'<rect x="{PLOT_LEFT + index * bar_width + 2:.1f}" '
            f'y="{PLOT_TOP + PLOT_HEIGHT - height:.1f}" width="{bar_width - 4:.1f}" '
            f'height="{height:.1f}" fill="{fill}"><title>{index * 10}-{index * 10 + 9} %: '
            f"{count} results</title></rect>"
        )
    if not total:
        parts.append(
            f'<text x="{PLOT_LEFT + PLOT_WIDTH / 2}" y="{PLOT_TOP + PLOT_HEIGHT / 2}" '
            'font-size="12" text-anchor="middle" fill="#555">'
            "No processed results in this activity yet</text>"
        )
    if provider is not None:
        for value, stroke, label in (
            (provider.alert_below, "#c62828", "alert"),
            (provider.warning_below, "#ef6c00", "warning"),
        ):
            if value is None:
                continue
            x = _x(float(value) * 100)
            parts.append(
                f'<line x1="{x:.1f}" y1="{PLOT_TOP}" x2="{x:.1f}" y2="{PLOT_TOP + PLOT_HEIGHT}" '
                f'stroke="{stroke}" stroke-dasharray="4 3"><title>{label} threshold '
                f"{float(value):.2f}</title></line>"
            )
    if row.confidence:
        x = _x(row.result)
        parts.append(
            f'<line x1="{x:.1f}" y1="{PLOT_TOP - 4}" x2="{x:.1f}" '
            f'y2="{PLOT_TOP + PLOT_HEIGHT}" stroke="#000" stroke-width="2">'
            f"<title>learner result {row.result} %</title></line>"
        )
    for percent in (0, 50, 100):
        parts.append(
            f'<text x="{_x(percent):.1f}" y="{PLOT_TOP + PLOT_HEIGHT + 14}" font-size="10" '
            f'text-anchor="middle">{percent} %</text>'
        )
    parts.append("</g>")
    return parts


def report_chart_svg(*, report: ReportActivity, context: dict, instrument_id=None) -> str:
    """An SVG image with one panel per instrument of the report (or only `instrument_id`).
    `context` is `reports.selectors.report_context(report=...)`."""
    rows = [
        row
        for row in report.detail.all()
        if instrument_id is None or row.instrument_id == instrument_id
    ]
    height = PANEL_HEIGHT * max(len(rows), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{PANEL_WIDTH}" height="{height}" '
        f'viewBox="0 0 {PANEL_WIDTH} {height}" font-family="sans-serif" role="img">',
        f"<title>Results of learner {escape(str(report.learner.learner_id))} in activity "
        f"{report.activity_id}</title>",
        f'<rect width="{PANEL_WIDTH}" height="{height}" fill="#fff"/>',
    ]
    if not rows:
        parts.append(
            f'<text x="{PLOT_LEFT}" y="40" font-size="14">No instrument results yet</text>'
        )
    for index, row in enumerate(rows):
        parts.extend(
            _panel(
                row,
                top=index * PANEL_HEIGHT,
                histogram=context["activity_histograms"].get(row.instrument_id, [0] * 10),
                provider=context["providers"].get(row.instrument_id),
            )
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (names come from VLEs)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def activity_reports_csv(*, reports, instruments) -> str:
    """One line per learner report: identity, the three levels, then result, confidence,
    enrolment and level of each instrument (in `instruments` order; empty when the learner
    has no row for it). `reports` must prefetch learner users and detail rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [
        "report_id",
        "learner_id",
        "uid",
        "first_name",
        "last_name",
        "email",
        "identity_level",
        "content_level",
        "integrity_level",
    ]
    for instrument in instruments:
        header += [
            f"{instrument.acronym}_{name}"
            for name in ("result", "confidence", "enrolment", "level")
        ]
    writer.writerow(header)
    for report in reports:
        member = report.learner.institution_user
        line = [
            report.pk,
            report.learner.learner_id,
            _safe(member.uid),
            _safe(member.user.first_name),
            _safe(member.user.last_name),
            _safe(member.user.email),
            report.identity_level,
            report.content_level,
            report.integrity_level,
        ]
        rows = {row.instrument_id: row for row in report.detail.all()}
        for instrument in instruments:
            row = rows.get(instrument.pk)
            line += (
                [row.result, row.confidence, row.enrolment, _instrument_level(row)]
                if row
                else ["", "", "", ""]
            )
        writer.writerow(line)
    return buffer.getvalue()
