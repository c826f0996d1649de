"""Read a village list (XLSX or CSV) into a header and numbered rows, however the office saved it.

XLSX: the first sheet; title rows above the header are skipped. CSV: UTF-8 (with or without BOM) or
GBK/GB18030, detected with charset-normalizer unless the encoding is given. Blank rows and columns are ignored.
"""

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field

import charset_normalizer
import openpyxl
from django.utils.translation import gettext as _

from villages.imports.columns import HEADER_KEYS, IGNORED_HEADERS, cell_text, normalize

HEADER_SEARCH_ROWS = 10
CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "hz", "big5"}


class FileProblem(Exception):
    """The file as a whole cannot be read."""


@dataclass
class Table:
    headers: list  # as written in the file, one per column
    keys: list  # the column key of each header, or None for ignored columns
    rows: list = field(default_factory=list)  # (line number in the file, [cell text, ...])
    encoding: str = ""


def read_table(content, filename, encoding=None, file_format=None):
    """The table in `content` (bytes); the format is given or comes from the file name's extension."""
    name = f".{file_format}" if file_format else filename.lower()
    if name.endswith(".xlsx"):
        lines = xlsx_lines(content)
        used_encoding = ""
    elif name.endswith((".csv", ".txt")):
        used_encoding = encoding or detect_encoding(content)
        lines = csv_lines(content, used_encoding)
    else:
        raise FileProblem(_("%(name)s is neither an .xlsx nor a .csv file") % {"name": filename})
    table = find_header(lines)
    table.encoding = used_encoding
    return table


def xlsx_lines(content):
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileProblem(_("The file is not a readable Excel (.xlsx) workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in values]
    finally:
        workbook.close()


def detect_encoding(content):
    try:
        content.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(content[:200_000]).best()
    if best is None:
        raise FileProblem(_("The encoding of the file could not be recognised; give it explicitly (e.g. gb18030)."))
    # GB18030 is a superset of GB2312 and GBK: decoding with it never loses a character they have.
    return "gb18030" if best.encoding.replace("_", "").lower() in CHINESE_ENCODINGS else best.encoding


def csv_lines(content, encoding):
    try:
        codec = codecs.lookup(encoding).name
        text = content.decode("utf-8-sig" if codec == "utf-8" else codec)
    except LookupError:
        raise FileProblem(_("%(encoding)s is not a known encoding.") % {"encoding": encoding}) from None
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise FileProblem(
            _("The file is not valid %(encoding)s (line %(line)d); give the right encoding, e.g. gb18030 or utf-8.")
            % {"encoding": encoding, "line": line}
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in ("\t", ";") if d in first_line and "," not in first_line), ",")
    for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        yield number, [cell_text(value) for value in values]


def header_keys(values):
    return [HEADER_KEYS.get(normalize(value)) if value else None for value in values]


def find_header(lines):
    """The first row with at least two known headers is the header; rows above it are titles."""
    for number, values in lines:
        keys = header_keys(values)
        if sum(key is not None for key in keys) >= 2:
            table = check_header(values, keys)
            table.rows = [(line, cells) for line, cells in lines if any(cells)]
            return table
        if number >= HEADER_SEARCH_ROWS:
            break
    raise FileProblem(
        _(
            "No header row found in the first %(count)d rows: the header needs at least two known column names such as 村代码, 村名, 县(市、区), 状态."
        )
        % {"count": HEADER_SEARCH_ROWS}
    )


def check_header(values, keys):
    while values and not values[-1]:
        values, keys = values[:-1], keys[:-1]
    problems, seen = [], {}
    for index, (header, key) in enumerate(zip(values, keys)):
        if key is None and header and normalize(header) not in IGNORED_HEADERS:
            problems.append(
                _("column %(column)d: %(header)s is not a known column name") % {"column": index + 1, "header": header}
            )
        elif key is not None and key in seen:
            problems.append(
                _("columns %(first)s and %(second)s both give the same field") % {"first": seen[key], "second": header}
            )
        elif key is not None:
            seen[key] = header
    if "code" not in seen and not {"name", "county"} <= set(seen):
        problems.append(_("the header needs a code column (村代码), or a county (县(市、区)) and a name (村名) column"))
    if ("lon" in seen) != ("lat" in seen):
        problems.append(_("经度 and 纬度 must be given together"))
    if problems:
        raise FileProblem(_("Header row: %(problems)s.") % {"problems": "; ".join(problems)})
    return Table(headers=list(values), keys=list(keys))
