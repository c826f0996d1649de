"""Read an import file into sheets of numbered rows of cell texts: XLSX, XLSB, XLS and ODS through python-calamine,
CSV in UTF-8, UTF-16 or GBK/GB18030, however the office saved it.

A zip's container is checked first (villages/imports/limits.py); calamine then reads the workbook in a child
process held to a memory and a time limit (villages/imports/sandbox.py) while its parts' zip and XML checks run
here (an ODS's first: they find its merged ranges); a refusal of the checks comes first, and the sheets the
child returns are held to the row, column and cell limits. Anything unreadable raises FileProblem with a message
naming the file. Cells are text: numbers without a spurious .0, every cell of a merged range carrying the range's
value. Rows whose cells are all empty are left out; row numbers are the file's own.
"""

import codecs
import csv
import io
import struct
import zipfile
from dataclasses import dataclass

import charset_normalizer
from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from villages.imports import limits, sandbox
from villages.imports.columns import HEADER_KEYS, cell_text, normalize
from villages.imports.limits import Budget, FileProblem

__all__ = ["FileProblem", "Sheet", "read_sheets"]

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".et")
SAMPLE_BYTES = 200_000
DELIMITER_LINES = 20
BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


@dataclass
class Sheet:
    name: str
    rows: list  # [(row number as in the file, [cell text, ...])], cells of a merged range all carry its value
    encoding: str = ""  # CSV only: the encoding read, e.g. "GB18030"
    encoding_detected: bool = False  # CSV only: detected rather than given
    hidden: bool = False


def read_sheets(content, filename, encoding=None, header_keys=HEADER_KEYS):
    """The sheets of `content` (bytes): a CSV is one sheet named after the file, its delimiter the one that splits
    a line into names of `header_keys` (normalized header -> column key)."""
    budget = Budget(filename)
    if not content:
        raise FileProblem(_("%(name)s is empty.") % {"name": filename})
    if len(content) > settings.IMPORT_MAX_BYTES:
        budget.refuse(
            _("it is %(size).1f MB; an import file may be at most %(limit)d MB."),
            size=len(content) / 2**20,
            limit=settings.IMPORT_MAX_BYTES // 2**20,
        )
    if content[:2] == b"PK":
        archive = limits.open_zip(content, budget)
        if limits.is_ods(archive):  # calamine gives no merged ranges for an ODS: the check finds them first
            merges = limits.check_parts(archive, budget)
            sheets = sandbox.run(read_workbook, content, filename, merges, filename=filename)
        else:
            # calamine reads the workbook in its child while the parts are checked here, on another CPU; the
            # check's refusal comes first and ends the child
            with sandbox.Child(read_workbook, content, filename, {}, filename=filename) as child:
                limits.check_parts(archive, budget)
                sheets = child.result()
    elif limits.is_cfb(content):
        limits.check_cfb(content, budget)
        sheets = sandbox.run(read_workbook, content, filename, {}, filename=filename)
    elif filename.lower().endswith(CSV_EXTENSIONS):
        return [read_csv(content, filename, encoding, budget, header_keys)]
    elif filename.lower().endswith(SPREADSHEET_EXTENSIONS):
        if content.lstrip()[:1] == b"<":
            budget.refuse(_("it is a web page (HTML) named like a spreadsheet; open it and save it as .xlsx."))
        budget.refuse(_("it is not a readable workbook (neither a zip container nor an Excel 97-2003 file)."))
    else:
        budget.refuse(_("it is neither a spreadsheet (.xlsx, .xlsb, .xls, .ods) nor a .csv file."))
    check_cells(sheets, budget)
    return sheets


def read_workbook(content, filename, merges):
    """Run in a child of villages/imports/sandbox.py: calamine's sheets as plain rows, each sheet's used range
    held to the limits before its cells become Python strings."""
    budget = Budget(filename)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        with workbook:
            sheets, xlsb = [], None
            for meta in workbook.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet:
                    continue
                sheet = workbook.get_sheet_by_name(meta.name)
                if sheet.start is not None:
                    budget.add(limits.printable(meta.name), sheet.height, sheet.width)
                ranges = merges.get(meta.name, sheet.merged_cell_ranges)
                if ranges is None and content[:2] == b"PK":  # calamine gives none for an XLSB's sheets
                    xlsb = xlsb_merges(content, budget) if xlsb is None else xlsb
                    ranges = xlsb.get(meta.name)
                hidden = meta.visible != SheetVisibleEnum.Visible
                sheets.append(Sheet(meta.name, sheet_rows(sheet, ranges or [], budget), hidden=hidden))
            return sheets
    except PasswordError:
        raise FileProblem(
            _("%(name)s is protected by a password; save it without one and import it again.")
            % {"name": budget.filename}
        ) from None
    except (  # OSError: a part ends early; struct.error, IndexError, KeyError, BadZipFile: a damaged XLSB part
        CalamineError,
        OSError,
        ValueError,
        TypeError,
        IndexError,
        KeyError,
        OverflowError,
        struct.error,
        zipfile.BadZipFile,
    ):
        budget.refuse(_("it is not a readable workbook (calamine could not read it)."))
    except BaseException as error:
        # A Rust panic in calamine arrives as pyo3's PanicException, which derives from BaseException.
        if type(error).__name__ != "PanicException":
            raise
        budget.refuse(_("it is not a readable workbook (calamine could not read it)."))


def xlsb_merges(content, budget):
    """{sheet name: [((first row, first column), (last row, last column))]} of an XLSB: its workbook's sheets
    (BrtBundleSh), their parts (xl/_rels/workbook.bin.rels) and each part's BrtMergeCell records."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    folded = {limits.folded_name(name): name for name in archive.namelist()}
    if "xl/workbook.bin" not in folded:
        return {}
    relationships = folded.get("xl/_rels/workbook.bin.rels")
    targets = {
        attrs.get("Id"): attrs.get("Target", "")
        for attrs in (limits.read_elements(archive, budget, relationships, "Relationship") if relationships else [])
    }
    merges = {}
    for kind, body in biff12_records(archive.read(folded["xl/workbook.bin"])):
        if kind != 0x9C:  # BrtBundleSh: state and tab id, then the relationship id and the name, XLWideStrings
            continue
        relation, start = wide_string(body, 8)
        name, _start = wide_string(body, start)
        part = folded.get(limits.folded_name("xl/" + targets.get(relation, "")))
        if part is None:
            continue
        for kind, body in biff12_records(archive.read(part)):
            if kind == 0xB0 and len(body) >= 16:  # BrtMergeCell: first row, last row, first column, last column
                top, bottom, left, right = struct.unpack_from("<IIII", body)
                budget.add_merges(1)
                merges.setdefault(name, []).append(((top, left), (bottom, right)))
    return merges


def biff12_records(data):
    """(type, body) of each record: its type in 1 or 2 bytes and its size in 1 to 4, 7 bits a byte."""
    position = 0
    while position < len(data):
        kind = data[position]
        position += 1
        if kind & 0x80:
            kind = (kind & 0x7F) | (data[position] & 0x7F) << 7
            position += 1
        size = shift = 0
        for _byte in range(4):
            byte = data[position]
            position += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        yield kind, data[position : position + size]
        position += size


def wide_string(body, start):
    (length,) = struct.unpack_from("<I", body, start)
    if length == 0xFFFFFFFF:
        return None, start + 4
    return body[start + 4 : start + 4 + 2 * length].decode("utf-16-le", errors="replace"), start + 4 + 2 * length


def sheet_rows(sheet, merges, budget):
    if sheet.start is None:
        return []
    top, left = sheet.start
    if merges:
        grid = [[cell_text(value) for value in values] for values in sheet.iter_rows()]
        fill_merges(grid, top, left, merges, budget)
    else:  # row by row: the grid is never held twice
        grid = ([cell_text(value) for value in values] for values in sheet.iter_rows())
    rows = []
    for index, cells in enumerate(grid):
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append((top + index + 1, cells))
    return rows


def fill_merges(grid, top, left, merges, budget):
    """Every cell of a merged range gets the value of its top-left cell; ranges are cut to the data."""
    height, width = len(grid), max(map(len, grid), default=0)
    boxes = []
    for (first_row, first_column), (last_row, last_column) in merges:
        box = (
            first_row - top,
            first_column - left,
            min(last_row - top, height - 1),
            min(last_column - left, width - 1),
        )
        if 0 <= box[0] <= box[2] and 0 <= box[1] <= box[3]:
            boxes.append(box)
    budget.check_cells(sum((b[2] - b[0] + 1) * (b[3] - b[1] + 1) for b in boxes))
    for row0, column0, row1, column1 in boxes:
        value = grid[row0][column0] if column0 < len(grid[row0]) else ""
        for row in grid[row0 : row1 + 1]:
            row.extend([""] * (column1 + 1 - len(row)))
            row[column0 : column1 + 1] = [value] * (column1 - column0 + 1)


def check_cells(sheets, budget, named=True):
    limit = limits.MAX_CELL_CHARS
    for sheet in sheets:
        for line, cells in sheet.rows:
            for index, text in enumerate(cells):
                if len(text) > limit or "\x00" in text:
                    place = {"sheet": sheet.name, "row": line, "column": index + 1}
                    where = (
                        _("%(sheet)s sheet, row %(row)d, column %(column)d") % place
                        if named
                        else _("row %(row)d, column %(column)d") % place
                    )
                    if "\x00" in text:
                        budget.refuse(_("%(where)s holds a NUL character: the file is damaged."), where=where)
                    budget.check_text(len(text), where)


def detect_encoding(content):
    """(codec, name shown): a BOM; else UTF-8 if the whole file is UTF-8, else GB18030 if it decodes as
    GB18030 (which holds GB2312 and GBK), else what charset-normalizer finds in a sample cut at a line break."""
    for bom, codec in BOMS:
        if content.startswith(bom):
            return codec, "UTF-16" if codec == "utf-16" else "UTF-8"
    for codec, name in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        try:
            content.decode(codec)
            return codec, name
        except UnicodeDecodeError:
            pass
    sample = content if len(content) <= SAMPLE_BYTES else content[: content.rfind(b"\n", 0, SAMPLE_BYTES) + 1]
    best = charset_normalizer.from_bytes(sample or content[:SAMPLE_BYTES]).best()
    if best is None:
        raise FileProblem(_("The encoding of the file could not be recognised; give it explicitly (e.g. gb18030)."))
    return best.encoding, best.encoding.upper().replace("_", "-")


def decode(content, encoding):
    try:
        codec = codecs.lookup(encoding).name
        return content.decode("utf-8-sig" if codec == "utf-8" else codec)
    except LookupError:
        raise FileProblem(_("%(encoding)s is not a known encoding.") % {"encoding": encoding}) from None
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise FileProblem(
            _("The file is not valid %(encoding)s (line %(line)d); give the right encoding, e.g. gb18030 or utf-8.")
            % {"encoding": encoding, "line": line}
        ) from None


def csv_delimiter(text, header_keys=HEADER_KEYS):
    """A comma, a tab or a semicolon: the one that splits a line near the top (title lines may come first) into
    at least two known column names; else a tab or a semicolon if the first line has one and no comma."""
    lines = text[: 1 << 16].splitlines()[:DELIMITER_LINES]
    for delimiter in (",", "\t", ";"):
        for line in lines:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            if len({header_keys.get(normalize(cell)) for cell in cells} - {None}) >= 2:
                return delimiter
    first_line = lines[0] if lines else ""
    return next((d for d in ("\t", ";") if d in first_line and "," not in first_line), ",")


def read_csv(content, filename, encoding, budget, header_keys=HEADER_KEYS):
    if encoding:
        codec, shown = encoding, encoding.upper()
    else:
        codec, shown = detect_encoding(content)
    text = decode(content, codec)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text, header_keys), strict=True)
    rows, line = [], 1
    try:
        for values in reader:
            budget.check_rows(reader.line_num)
            if len(values) > settings.IMPORT_MAX_COLUMNS:
                budget.refuse(
                    _("line %(line)d has %(columns)d columns; an import reads at most %(limit)d."),
                    line=line,
                    columns=len(values),
                    limit=settings.IMPORT_MAX_COLUMNS,
                )
            cells = [cell_text(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            budget.refuse(
                _("line %(line)d holds a cell longer than %(limit)d characters."),
                line=line,
                limit=csv.field_size_limit(),
            )
        if "unexpected end of data" in str(error):
            budget.refuse(_("a quoted cell starting on line %(line)d is never closed."), line=line)
        budget.refuse(_("line %(line)d is not valid CSV (%(error)s)."), line=line, error=str(error))
    sheets = [Sheet(filename, rows, encoding=shown, encoding_detected=not encoding)]
    check_cells(sheets, budget, named=False)
    return sheets[0]
