"""Exports: any table (every chart has one) as CSV or Excel, for the team or for sharing.

``GET /export?path=/delays&search=?area=D1&table=<id>&format=csv|xlsx&audience=team|share``
recomputes the view for the signed-in user through the same checks as the page (a role or area
outside their scope is refused), takes the table by its id, and for sharing applies the
small-number rule (``dashboard.disclosure``) and says so in the file. Every export is recorded.
No cell can run as a formula: CSV text is made inert (``dashboard.inert_cells``), and Excel cells
are written as numbers or as text, never as formulas.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from dash import Dash
from flask import Response, request
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from callbacks import plan
from callbacks.shell import FRAME_OUTPUTS, view_for
from dashboard.auth import client_address, current_scope
from dashboard.cache import as_sent
from dashboard.context import AppContext
from dashboard.disclosure import RULE_TEXT, inferred_kinds, parse_count, shared_rows
from dashboard.inert_cells import inert, is_number
from dashboard.pages import PAGES_BY_PATH
from data_access import audit
from data_access.access import AccessDenied
from data_access.status import data_status
from layouts import formatting as fmt
from layouts.components import component_nodes

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
AUDIENCES = ("team", "share")
TABLE_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


class ExportError(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def register(app: Dash, context: AppContext) -> None:
    @app.server.get("/export")
    def export() -> Response:
        try:
            return _export(context)
        except AccessDenied as refusal:
            return Response(str(refusal), status=403, mimetype="text/plain")
        except ExportError as error:
            return Response(str(error), status=error.status, mimetype="text/plain")


def _export(context: AppContext) -> Response:
    scope, now = current_scope(), context.clock.now()
    path, search = request.args.get("path", "/"), request.args.get("search", "")[:2000]
    table_id, file_format = request.args.get("table", ""), request.args.get("format", "csv")
    audience = request.args.get("audience", "team")
    page = PAGES_BY_PATH.get(path)
    if page is None:
        raise ExportError(404, f"There is no page {path[:100]!r}.")
    if not TABLE_ID.match(table_id) or file_format not in FORMATS or audience not in AUDIENCES:
        raise ExportError(400, "Ask for a table id, a format (csv or xlsx) and an audience "
                               "(team or share).")
    if audience == "share" and page.permission in ("people", "data"):
        raise ExportError(403, "Lists of people or of their records cannot be exported for "
                               "sharing outside the team.")
    outputs = view_for(context, scope, path, search)
    table = find_table([outputs[0], *outputs[FRAME_OUTPUTS].values()], table_id)
    run = request.args.get("run")
    if table is None and run and path == plan.PATH:  # a table of a run: recomputed from it
        table = find_table(as_sent(plan.export_tree(context, run[:4000], table_id)),
                           table_id)
    if table is None:
        raise ExportError(404, f"There is no table {table_id!r} on that page.")
    caption, columns, rows = table_contents(table)
    kinds = str(table["props"].get("data-kinds") or "").split("|") \
        if table["props"].get("data-kinds") else inferred_kinds(columns, rows)
    if audience == "share":
        rows = shared_rows(columns, rows, kinds)
    notes = [caption, f"Page: {page.title} ({path}{search})",
             f"Exported {fmt.moment(now)} by {scope.username}"]
    if data_status(context.engine).synthetic:
        notes.append("SYNTHETIC DEMONSTRATION DATA: invented people, not real figures.")
    notes.append(RULE_TEXT if audience == "share" else
                 "For the operational team only: small numbers are not suppressed.")
    audit.record(context.engine, now, "export", f"{path}{search} {table_id}",
                 username=scope.username, role=scope.role, rows=len(rows),
                 detail=f"{file_format}, {audience}", client=client_address())
    body = _csv(columns, rows, notes) if file_format == "csv" else _xlsx(columns, rows, notes)
    name = f"{table_id}{'-shared' if audience == 'share' else ''}.{file_format}"
    return Response(body, mimetype=FORMATS[file_format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def find_table(tree: Any, table_id: str) -> dict[str, Any] | None:
    return next((node for node in component_nodes(tree) if node.get("type") == "Table"
                 and node["props"].get("id") == table_id), None)


def _text(tree: Any) -> str:
    if tree is None:
        return ""
    if isinstance(tree, str | int | float):
        return str(tree)
    if isinstance(tree, list):
        return "".join(_text(item) for item in tree)
    return _text(tree.get("props", {}).get("children"))


def table_contents(table: dict[str, Any]) -> tuple[str, list[str], list[list[str]]]:
    caption, columns, rows = "", [], []
    for node in component_nodes(table["props"].get("children")):
        if node["type"] == "Caption":
            caption = _text(node)
        elif node["type"] == "Tr":
            cells = [_text(cell) for cell in component_nodes(node["props"].get("children"))
                     if cell["type"] in ("Th", "Td")]
            if columns:
                rows.append(cells)
            else:
                columns = cells
    return caption, columns, rows


def _csv(columns: list[str], rows: list[list[str]], notes: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in (columns, *rows, [], *([note] for note in notes)):
        writer.writerow([inert(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets Excel read UTF-8


def _xlsx(columns: list[str], rows: list[list[str]], notes: list[str]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Figures"
    _append(sheet, columns, bold=True)
    for row in rows:
        _append(sheet, row)
    about = book.create_sheet("About")
    for note in notes:
        _append(about, [note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append(sheet: Any, values: list[str], bold: bool = False) -> None:
    """A row of numbers and text: openpyxl would store text starting with "=" as a formula, so
    every text cell is set to text explicitly (and marked to stay text if someone edits it)."""
    sheet.append([_number_or_text(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            _as_text(cell)
        if bold:
            cell.font = Font(bold=True)


def _as_text(cell: Cell) -> None:
    cell.data_type = "s"
    cell.quotePrefix = True


def _number_or_text(value: str) -> int | float | str:
    count = parse_count(value)
    if count is not None:
        return count
    if is_number(value) and not value.endswith("%"):
        return float(value.replace(",", ""))
    return value
