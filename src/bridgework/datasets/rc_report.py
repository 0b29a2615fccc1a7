"""RC reports as files: an XLSX workbook and a self-contained, accessible HTML page.

Both writers take an :class:`~bridgework.analysis.rc_results.RCAnalysis` (or a wave
comparison), which only exists after the privacy pass, so they cannot show a suppressed
figure: they render what the analysis shows, nothing else.

* **XLSX** — one sheet per view (matrix, cells, workgroups, overall, reciprocity,
  reliability, settings); the matrix sheet colours cells by band with conditional formatting
  and also writes the band in the cells sheet, so colour is never the only signal. Text cells
  that a spreadsheet would run as formulas are stored as text.
* **HTML** — one file, no scripts, no external assets: a heatmap table (band colour *and*
  the value and band written in each cell), captions, ``scope`` on header cells, a legend,
  and notes on what suppression and the bands mean.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bridgework.analysis.rc_compare import RCComparison
from bridgework.analysis.rc_instrument import DIMENSIONS
from bridgework.analysis.rc_results import RCAnalysis, rounded
from bridgework.datasets.sheets import FORMULA_TRIGGERS, write_csv_table

__all__ = ["BAND_COLOURS", "write_rc_csv", "write_rc_html", "write_rc_xlsx"]

#: Background colours per band position (weak, moderate, strong); dark text passes WCAG AA.
BAND_COLOURS = ("F4C7C3", "FCE8B2", "B7E1CD")
_SUPPRESSED_COLOUR = "E0E0E0"


def _fmt(value: float | None) -> str:
    value = rounded(value)
    return "" if value is None else f"{value:.2f}"


def _sheet(workbook: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Any:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                # openpyxl would store "=..." as a formula: keep names typed by people inert.
                cell.data_type = "s"
                cell.quotePrefix = True
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(width, 40) + 2
    return sheet


#: One column of a sheet: its header and how its value is read from a row's item.
Column = tuple[str, Callable[[Any], Any]]


def _same(item: Any) -> Any:
    return item


def _read(*names: str, via: Callable[[Any], Any] = _same) -> list[Column]:
    """Columns named after attributes, read from ``via(item)`` (the item itself by default)."""
    return [(name, lambda item, name=name: getattr(via(item), name)) for name in names]


def _ci(via: Callable[[Any], Any] = _same) -> list[Column]:
    """A confidence interval as two columns, empty where there is none."""
    return [
        ("ci_low", lambda item: (via(item).ci or (None, None))[0]),
        ("ci_high", lambda item: (via(item).ci or (None, None))[1]),
    ]


def _change_columns(via: Callable[[Any], Any]) -> list[Column]:
    """A change between two waves (a cell's or an overall figure's), the same columns in
    both sheets."""
    return [
        *_read("before", "after", "difference", via=via),
        *_ci(via),
        *_read("p_value", "effect_size", via=via),
    ]


def _joined(parts: dict[str, Any] | None) -> str:
    return "; ".join(f"{k}: {v}" for k, v in (parts or {}).items())


def _columns_sheet(
    workbook: Any, title: str, columns: Sequence[Column], items: Iterable[Any]
) -> Any:
    """A sheet with one row per item and the given columns."""
    return _sheet(
        workbook,
        title,
        [name for name, _ in columns],
        ([read(item) for _, read in columns] for item in items),
    )


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, float):
        return rounded(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _band_rules(
    sheet: Any, cell_range: str, labels: Sequence[str], cutoffs: Sequence[float]
) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill

    def fill(colour: str) -> PatternFill:
        return PatternFill(start_color=colour, end_color=colour, fill_type="solid")

    low, high = cutoffs
    sheet.conditional_formatting.add(
        cell_range, CellIsRule(operator="lessThan", formula=[str(low)], fill=fill(BAND_COLOURS[0]))
    )
    sheet.conditional_formatting.add(
        cell_range,
        CellIsRule(operator="between", formula=[str(low), str(high)], fill=fill(BAND_COLOURS[1])),
    )
    sheet.conditional_formatting.add(
        cell_range,
        CellIsRule(operator="greaterThan", formula=[str(high)], fill=fill(BAND_COLOURS[2])),
    )


def _cell_row(cell: dict[str, Any]) -> dict[str, Any]:
    """One CSV row of a cell of ``RCAnalysis.to_dict()`` (dimensions and CI as columns)."""
    dims = cell.pop("dimensions") or {}
    counts = cell.pop("dimension_n") or {}
    hidden = cell.pop("hidden_parts") or {}
    ci = cell.pop("ci") or [None, None]
    cell.setdefault("as_of", None)
    return {
        **cell,
        "ci_low": ci[0],
        "ci_high": ci[1],
        **{k: dims.get(k) for k in DIMENSIONS},
        "hidden_parts": "; ".join(f"{name}: {why}" for name, why in hidden.items()) or None,
        **{f"{k}_answers": counts.get(k) if dims.get(k) is not None else None for k in DIMENSIONS},
    }


def _change_row(cell: dict[str, Any]) -> dict[str, Any]:
    ci = cell.pop("ci") or [None, None]
    return {**cell, "ci_low": ci[0], "ci_high": ci[1]}


def write_rc_csv(result: RCAnalysis | RCComparison) -> bytes:
    """The cells of an analysis (or the changes of a comparison) as CSV, text guarded.

    Examples
    --------
    >>> import pandas as pd
    >>> from bridgework.analysis.rc import LONG_COLUMNS, RCSettings, analyze_rc
    >>> rows = [(f"r{i}", "=A", "B", d, 4) for i in range(5) for d in DIMENSIONS]
    >>> text = write_rc_csv(analyze_rc(pd.DataFrame(rows, columns=LONG_COLUMNS),
    ...                                settings=RCSettings(bootstrap=0, seed=1))).decode()
    >>> text.splitlines()[1].startswith("'=A,B,5,4.0")
    True
    """
    cells = result.to_dict()["cells"]
    convert = _change_row if isinstance(result, RCComparison) else _cell_row
    rows = [convert(cell) for cell in cells]
    header = list(rows[0]) if rows else ["rater", "target"]
    return write_csv_table(header, ([row.get(h) for h in header] for row in rows))


def write_rc_xlsx(result: RCAnalysis | RCComparison) -> bytes:
    """The analysis (or comparison) as an XLSX workbook, one sheet per view.

    Examples
    --------
    >>> import pandas as pd
    >>> from bridgework.analysis.rc import DIMENSIONS, LONG_COLUMNS, RCSettings, analyze_rc
    >>> rows = [(f"r{i}", "A", "B", d, 4) for i in range(5) for d in DIMENSIONS]
    >>> data = write_rc_xlsx(analyze_rc(pd.DataFrame(rows, columns=LONG_COLUMNS),
    ...                                 settings=RCSettings(bootstrap=0, seed=1)))
    >>> data[:2]
    b'PK'

    Notes
    -----
    O(cells + workgroups); openpyxl holds the workbook in memory.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    if isinstance(result, RCComparison):
        _comparison_sheets(workbook, result)
    else:
        _analysis_sheets(workbook, result)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _analysis_sheets(workbook: Any, result: RCAnalysis) -> None:
    from openpyxl.utils import get_column_letter

    settings = result.settings
    raters = sorted({cell.rater for cell in result.cells})
    targets = sorted({cell.target for cell in result.cells})
    lookup = {(cell.rater, cell.target): cell for cell in result.cells}
    matrix_rows = []
    for rater in raters:
        row: list[Any] = [rater]
        for target in targets:
            cell = lookup.get((rater, target))
            row.append("" if cell is None else ("suppressed" if cell.suppressed else cell.rc))
        matrix_rows.append(row)
    sheet = _sheet(workbook, "Matrix", ["rater \\ target", *targets], matrix_rows)
    if raters and targets:
        last = f"{get_column_letter(len(targets) + 1)}{len(raters) + 1}"
        _band_rules(sheet, f"B2:{last}", settings["band_labels"], settings["bands"])
    dims = list(next((c.dimensions for c in result.cells if c.dimensions), {}) or {})
    _columns_sheet(
        workbook,
        "Cells",
        [
            *_read("rater", "target", "n", "rc"),
            *_ci(),
            *_read("band", "suppressed", "reason", "communication", "relationship"),
            *[(d, lambda c, d=d: (c.dimensions or {}).get(d)) for d in dims],
            ("hidden_parts", lambda c: _joined(c.hidden_parts) or None),
            ("as_of", lambda c: c.as_of),
        ],
        result.cells,
    )
    _columns_sheet(
        workbook,
        "Workgroups",
        [
            *_read(
                "workgroup",
                "n_respondents",
                "rc_received",
                "n_received",
                "rc_given",
                "n_given",
                "within",
            ),
            ("suppressed", lambda s: _joined(s.suppressed)),
        ],
        result.workgroups_summary,
    )
    overall = result.overall.to_dict()
    _sheet(
        workbook,
        "Overall",
        ["figure", "value", "note", "n"],
        [
            [
                name,
                overall[name],
                result.overall.suppressed.get(name, ""),
                result.overall.counts.get(name) if overall[name] is not None else None,
            ]
            for name in ("respondent_weighted", "role_balanced", "within", "between")
        ]
        + [["n_respondents", overall["n_respondents"], ""], ["n_cells", overall["n_cells"], ""]],
    )
    _columns_sheet(
        workbook,
        "Reciprocity",
        _read("a", "b", "a_to_b", "b_to_a", "gap", "suppressed"),
        result.reciprocity,
    )
    reliability = result.reliability
    rel = reliability.to_dict()  # as reported: an ICC below 0 is 0, with its note
    rows = [[k, rel[k], ""] for k in ("alpha", "alpha_communication", "alpha_relationship")]
    rows += [
        ["icc1", rel["icc1"], reliability.reported_icc1.note or ""],
        ["icc2", rel["icc2"], reliability.reported_icc2.note or ""],
    ]
    rows += [[f"anova {k}", v, ""] for k, v in (rel["anova"] or {}).items()]
    rows += [[f"rwg {k}", v, ""] for k, v in rel["rwg"].items()]
    _sheet(workbook, "Reliability", ["figure", "value", "note"], rows)
    _settings_sheet(workbook, settings)


def _settings_sheet(workbook: Any, settings: dict[str, Any] | Any) -> None:
    _sheet(
        workbook,
        "Settings",
        ["setting", "value"],
        [[k, ", ".join(map(str, v)) if isinstance(v, list) else v] for k, v in settings.items()],
    )


def _comparison_sheets(workbook: Any, result: RCComparison) -> None:
    from openpyxl.utils import get_column_letter

    def change(cell: Any) -> Any:
        return cell.change

    columns = [
        *_read("rater", "target", "n_before", "n_after"),
        *_change_columns(change),
        *_read("band_before", "band_after", "band_changed"),
        *_read("suppressed", "reason", via=change),
    ]
    sheet = _columns_sheet(workbook, "Cells", columns, result.cells)
    if result.cells:
        column = get_column_letter([name for name, _ in columns].index("after") + 1)
        last = len(result.cells) + 1
        _band_rules(sheet, f"{column}2:{column}{last}", [], result.settings["bands"])

    def figure(item: tuple[str, Any]) -> Any:
        return item[1]

    _columns_sheet(
        workbook,
        "Overall",
        [
            ("figure", lambda item: item[0]),
            *_change_columns(figure),
            *_read("suppressed", "reason", via=figure),
        ],
        result.overall.items(),
    )
    _settings_sheet(workbook, {"before": result.before, "after": result.after, **result.settings})


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;color:#0b0c0c;
margin:2rem;line-height:1.4;max-width:80rem}
table{border-collapse:collapse;margin:1rem 0 2rem}
caption{text-align:left;font-weight:bold;font-size:1.1rem;padding-bottom:.5rem}
th,td{border:1px solid #6f777b;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f2f1}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.band-0{background:#F4C7C3}.band-1{background:#FCE8B2}.band-2{background:#B7E1CD}
.suppressed{background:#E0E0E0;font-style:italic}
.band{display:block;font-size:.85rem}
.legend span{display:inline-block;padding:.2rem .5rem;margin-right:.5rem;border:1px solid #6f777b}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(caption: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = []
    for row in rows:
        first, *rest = row
        cells = "".join(
            f'<td class="num">{_e(_fmt(v))}</td>' if isinstance(v, float) else f"<td>{_e(v)}</td>"
            for v in rest
        )
        body.append(f'<tr><th scope="row">{_e(first)}</th>{cells}</tr>')
    return (
        f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _page(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f"<body><main><h1>{_e(title)}</h1>{body}</main></body></html>"
    ).encode()


def _legend(settings: Any) -> str:
    labels, (low, high) = settings["band_labels"], settings["bands"]
    ranges = (f"below {low}", f"{low} to {high}", f"above {high}")
    items = "".join(
        f'<span class="band-{i}">{_e(label)}: {_e(ranges[i])}</span>'
        for i, label in enumerate(labels)
    )
    return (
        f'<p class="legend">{items}<span class="suppressed">suppressed: too few respondents '
        f"to show</span></p><p>Bands are {_e(settings['band_basis'])}. Figures resting on "
        f"fewer than {_e(settings['min_group_size'])} respondents are suppressed, as are "
        "figures from which a suppressed one could be worked out by subtraction.</p>"
    )


def write_rc_html(result: RCAnalysis | RCComparison, *, title: str | None = None) -> bytes:
    """The analysis (or comparison) as one self-contained, accessible HTML page.

    Every heatmap cell states its value and band in text; colour only repeats it.

    Examples
    --------
    >>> import pandas as pd
    >>> from bridgework.analysis.rc import DIMENSIONS, LONG_COLUMNS, RCSettings, analyze_rc
    >>> rows = [(f"r{i}", "A", "B", d, 4) for i in range(5) for d in DIMENSIONS]
    >>> page = write_rc_html(analyze_rc(pd.DataFrame(rows, columns=LONG_COLUMNS),
    ...                                 settings=RCSettings(bootstrap=0, seed=1)))
    >>> b"4.00" in page and b"moderate" in page and b'scope="row"' in page
    True

    Notes
    -----
    O(cells + workgroups).
    """
    if isinstance(result, RCComparison):
        return _comparison_html(
            result, title or f"RC change from {result.before} to {result.after}"
        )
    settings = result.settings
    reliability = result.reliability
    labels = settings["band_labels"]
    raters = sorted({cell.rater for cell in result.cells})
    targets = sorted({cell.target for cell in result.cells})
    lookup = {(cell.rater, cell.target): cell for cell in result.cells}
    head = '<th scope="col">Rater workgroup</th>' + "".join(
        f'<th scope="col">{_e(t)}</th>' for t in targets
    )
    body = []
    for rater in raters:
        cells = []
        for target in targets:
            cell = lookup.get((rater, target))
            if cell is None:
                cells.append("<td>not rated</td>")
            elif cell.suppressed:
                count = f'<span class="band">n = {_e(cell.n)}</span>'
                cells.append(f'<td class="suppressed">suppressed{count}</td>')
            else:
                ci = f", 95% CI {_fmt(cell.ci[0])}–{_fmt(cell.ci[1])}" if cell.ci else ""
                cells.append(
                    f'<td class="num band-{labels.index(cell.band)}">{_fmt(cell.rc)}'
                    f'<span class="band">{_e(cell.band)} (n = {cell.n}{_e(ci)})</span></td>'
                )
        body.append(f'<tr><th scope="row">{_e(rater)}</th>{"".join(cells)}</tr>')
    matrix = (
        "<table><caption>RC matrix: how each rater workgroup (rows) rates each target "
        "workgroup (columns), mean of 1–5</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    overall = result.overall
    parts = [
        _legend(settings),
        matrix,
        _table(
            "RC by workgroup: received from others, given to others, within",
            ["Workgroup", "Respondents", "RC received", "RC given", "Within"],
            [
                [s.workgroup, s.n_respondents, s.rc_received, s.rc_given, s.within]
                for s in result.workgroups_summary
            ],
        ),
        _table(
            "Overall RC",
            ["Figure", "Value"],
            [
                ["Respondent-weighted (mean over respondents)", overall.respondent_weighted],
                ["Role-balanced (mean of matrix cells)", overall.role_balanced],
                ["Within workgroups (mean of diagonal cells)", overall.within],
                ["Between workgroups (mean of other cells)", overall.between],
                ["Respondents", overall.n_respondents],
            ],
        ),
        _table(
            "Reciprocity: how A rates B minus how B rates A",
            ["Pair", "A rates B", "B rates A", "Gap"],
            [[f"{g.a} / {g.b}", g.a_to_b, g.b_to_a, g.gap] for g in result.reciprocity],
        ),
        _table(
            "Reliability and agreement",
            ["Figure", "Value", "Note"],
            [
                ["Cronbach's alpha, all seven dimensions", reliability.alpha, ""],
                ["Cronbach's alpha, communication", reliability.alpha_communication, ""],
                ["Cronbach's alpha, relationship", reliability.alpha_relationship, ""],
                [
                    "ICC(1) by rater workgroup",
                    reliability.reported_icc1.value,
                    reliability.reported_icc1.note or "",
                ],
                [
                    "ICC(2) by rater workgroup",
                    reliability.reported_icc2.value,
                    reliability.reported_icc2.note or "",
                ],
                *[[f"rwg(j), {k}", v, ""] for k, v in reliability.rwg.items()],
            ],
        ),
    ]
    return _page(title or "Relational Coordination report", "".join(parts))


def _comparison_html(result: RCComparison, title: str) -> bytes:
    rows = []
    for cell in result.cells:
        c = cell.change
        if c.suppressed:
            rows.append([f"{cell.rater} → {cell.target}", "suppressed", "", "", "", "", ""])
            continue
        moved = f"{cell.band_before} → {cell.band_after}" if cell.band_changed else "no change"
        ci = f"{_fmt(c.ci[0])} to {_fmt(c.ci[1])}" if c.ci else ""
        rows.append(
            [f"{cell.rater} → {cell.target}", c.before, c.after, c.difference, ci, c.p_value, moved]
        )
    overall = [
        [
            name.replace("_", "-"),
            c.before,
            c.after,
            c.difference,
            f"{_fmt(c.ci[0])} to {_fmt(c.ci[1])}" if c.ci else "",
            c.p_value,
        ]
        for name, c in result.overall.items()
    ]
    body = (
        _legend(result.settings)
        + _table(
            "Change in overall RC",
            ["Figure", "Before", "After", "Difference", "95% CI", "p"],
            overall,
        )
        + _table(
            "Change by cell (rater → target)",
            ["Cell", "Before", "After", "Difference", "95% CI", "p", "Band"],
            rows,
        )
    )
    return _page(title, body)
