"""Writing a network analysis as an XLSX workbook or a self-contained, accessible HTML page.

Both writers take the dictionary of :meth:`NetworkAnalysis.to_dict` — the same figures as the
JSON output, so no number is computed twice — and lay it out as tables: the network summary
and validity, per-person measures, the group density matrix and group figures, the roles with
their plain explanations, weaving opportunities and warnings.

The HTML needs no network access or script: inline CSS only, tables with a ``<caption>`` and
``scope`` on every header cell, a language attribute, and warnings in a labelled region, so
screen readers can navigate it (WCAG 2.2: 1.3.1 Info and Relationships).
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["people_columns", "write_html", "write_xlsx"]

_BROKERAGE = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def people_columns(result: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Flatten the ``people`` records into a header and rows (brokerage and E-I spread out)."""
    people = result["people"]
    ei_names = list(people[0]["ei_index"]) if people else []
    simple = [key for key in (people[0] if people else {}) if key not in ("ei_index", "brokerage")]
    header = simple + [f"brokerage_{role}" for role in _BROKERAGE] + [f"ei_{a}" for a in ei_names]
    rows = [
        [_cell(p[key]) for key in simple]
        + [p["brokerage"][role] for role in _BROKERAGE]
        + [_cell(p["ei_index"][a]) for a in ei_names]
        for p in people
    ]
    return header, rows


def _sections(result: Mapping[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(title, header, rows) of every table, shared by both writers."""
    network = result["network"]
    validity = result["validity"]
    overview = [[key, _cell(value)] for key, value in network.items()]
    overview += [
        [f"validity: {key}", _cell(value)]
        for key, value in validity.items()
        if key not in ("robust_measures", "sensitive_measures")
    ]
    overview.append(["robust to missing answers", _cell(validity["robust_measures"])])
    overview.append(["sensitive to missing answers", _cell(validity["sensitive_measures"])])
    overview += [["relation", _cell(result["relation"])], ["group_by", _cell(result["group_by"])]]
    sections = [("Network summary", ["figure", "value"], overview)]
    header, rows = people_columns(result)
    sections.append(("People", header, rows))
    groups = result["groups"]
    if groups is not None:
        names = groups["names"]
        sections.append(
            (
                f"Tie density from each {groups['attribute']} (row) to each (column)",
                [groups["attribute"], *names],
                [
                    [name, *(_cell(v) for v in row)]
                    for name, row in zip(names, groups["density"], strict=True)
                ],
            )
        )
        summary = groups["summary"]
        keys = list(summary[0]) if summary else []
        sections.append(
            (
                f"Figures by {groups['attribute']}",
                keys,
                [[_cell(s[k]) for k in keys] for s in summary],
            )
        )
    roles = result["roles"]
    sections.append(
        (
            "Network roles",
            ["role", "people", "how the role is found"],
            [
                [d["label"], roles["counts"][d["role"]], d["explanation"]]
                for d in roles["definitions"]
            ],
        )
    )
    weaving = result["weaving"]
    sections.append(
        (
            "Weaving opportunities (untied pairs across groups who share contacts)",
            ["a", "b", "group_a", "group_b", "shared_contacts", "shared", "groups_density"],
            [
                [
                    w["a"],
                    w["b"],
                    w["group_a"],
                    w["group_b"],
                    w["shared_contacts"],
                    _cell(w["shared"]),
                    _cell(w["groups_density"]),
                ]
                for w in weaving
            ],
        )
    )
    sections.append(("Warnings", ["warning"], [[w] for w in result["warnings"]]))
    return sections


def write_xlsx(result: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write the analysis as an XLSX workbook, one sheet per table.

    Parameters
    ----------
    result : mapping
        ``NetworkAnalysis.to_dict()``.
    path : path
        Output file; overwritten.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet_names = ("Summary", "People", "Group density", "Groups", "Roles", "Weaving", "Warnings")
    sections = _sections(result)
    if result["groups"] is None:
        sheet_names = tuple(s for s in sheet_names if not s.startswith("Group"))
    for name, (title, header, rows) in zip(sheet_names, sections, strict=True):
        sheet = workbook.create_sheet(name)
        sheet.append([title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A3"
    workbook.save(Path(path))


def _table(
    title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], row_headers: bool
) -> str:
    escape = html.escape
    parts = [f"<table>\n<caption>{escape(title)}</caption>\n<thead><tr>"]
    parts += [f'<th scope="col">{escape(str(h))}</th>' for h in header]
    parts.append("</tr></thead>\n<tbody>\n")
    for row in rows:
        parts.append("<tr>")
        for position, value in enumerate(row):
            text = escape(str(_cell(value)))
            if position == 0 and row_headers:
                parts.append(f'<th scope="row">{text}</th>')
            else:
                parts.append(f"<td>{text}</td>")
        parts.append("</tr>\n")
    if not rows:
        parts.append(f'<tr><td colspan="{len(header)}">None.</td></tr>\n')
    parts.append("</tbody>\n</table>\n")
    return "".join(parts)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #0b0c0c; line-height: 1.4; }
table { border-collapse: collapse; margin: 0 0 2rem; font-size: 0.9rem; }
caption { text-align: left; font-weight: bold; font-size: 1.1rem; padding: 0.5rem 0; }
th, td { border: 1px solid #b1b4b6; padding: 0.25rem 0.5rem; text-align: left; }
th, td { vertical-align: top; }
thead th { background: #f3f2f1; }
.warning { border-left: 5px solid #d4351c; padding: 0.5rem 1rem; margin-bottom: 2rem; }
.scroll { overflow-x: auto; }
"""


def write_html(result: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write the analysis as one self-contained, accessible HTML page.

    Parameters
    ----------
    result : mapping
        ``NetworkAnalysis.to_dict()``.
    path : path
        Output file; overwritten.
    """
    escape = html.escape
    title = "Network analysis"
    if result["relation"]:
        title += f": {result['relation']}"
    body = [f"<h1>{escape(title)}</h1>\n"]
    if result["warnings"]:
        body.append('<section class="warning" aria-labelledby="warnings-heading">\n')
        body.append('<h2 id="warnings-heading">Read this first</h2>\n<ul>\n')
        body += [f"<li>{escape(w)}</li>\n" for w in result["warnings"]]
        body.append("</ul>\n</section>\n")
    for title_text, header, rows in _sections(result):
        if title_text == "Warnings":
            continue
        body.append('<div class="scroll" role="region" tabindex="0" ')
        body.append(f'aria-label="{escape(title_text)}">\n')
        body.append(_table(title_text, header, rows, row_headers=True))
        body.append("</div>\n")
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{''.join(body)}</main>\n</body>\n</html>\n"
    )
    Path(path).write_text(page, encoding="utf-8")
