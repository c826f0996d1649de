"""The village tables of an import file: in each sheet the header (title rows above it skipped, one to three
header rows, merged cells filled), the village rows below it, and the summary rows (合计, 总计, 小计) left out.

Sheets without a header (instructions such as 填报说明) and hidden sheets are skipped; the result says so.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from villages.imports.columns import HEADER_KEYS, IGNORED_HEADERS, normalize
from villages.imports.reading import FileProblem, read_sheets

HEADER_SEARCH_ROWS = 10
HEADER_ROWS = 3  # at most, one above the other
SUMMARY_WORDS = ("合计", "总计", "小计")


@dataclass
class Table:
    sheet: str | None  # None for a CSV
    headers: list  # as written in the file, one per column
    keys: list  # the column key of each header, or None for ignored columns
    rows: list = field(default_factory=list)  # (row number in the file, [cell text, ...])
    summary_rows: list = field(default_factory=list)  # (row number, the cell saying 合计...)
    line: int = 0  # the header's (first) row

    @property
    def is_csv(self):
        """In a CSV a row can be wider than the header: a value with a comma, not in quotes, moved its cells."""
        return self.sheet is None


@dataclass
class Tables:
    tables: list
    skipped_sheets: list = field(default_factory=list)  # (sheet name, why)
    encoding: str = ""
    encoding_detected: bool = False


def header_key(text):
    return HEADER_KEYS.get(normalize(text)) if text else None


def is_header_name(text):
    return header_key(text) is not None or normalize(text) in IGNORED_HEADERS


def summary_label(cells):
    """The cell that makes a row a summary row (合计, 榆次区小计, 总 计：...) among its first two non-empty cells."""
    for text in [cell for cell in cells if cell][:2]:
        if "计" not in text:  # every summary word ends with it: most rows are told apart without normalizing
            continue
        word = normalize(text).rstrip(":：")
        if len(word) <= 12 and word.endswith(SUMMARY_WORDS):
            return text
    return None


def read_tables(content, filename, encoding=None):
    sheets = read_sheets(content, filename, encoding)
    is_csv = len(sheets) == 1 and sheets[0].encoding != ""
    result = Tables(
        [], encoding=sheets[0].encoding if sheets else "", encoding_detected=is_csv and sheets[0].encoding_detected
    )
    for sheet in sheets:
        if sheet.hidden:
            result.skipped_sheets.append((sheet.name, _("hidden")))
            continue
        table = find_header(sheet.rows, None if is_csv else sheet.name)
        if table is None:
            result.skipped_sheets.append((sheet.name, _("no header row")))
        else:
            result.tables.append(table)
    if not result.tables:
        raise FileProblem(
            _(
                "No header row found in the first %(count)d rows: the header needs at least two known column names such as 村代码, 村名, 县(市、区), 状态."
            )
            % {"count": HEADER_SEARCH_ROWS}
            + ("" if is_csv else " " + _("Sheets read: %(sheets)s.") % {"sheets": "、".join(s.name for s in sheets)})
        )
    return result


def find_header(rows, sheet):
    """The first row naming at least two known columns starts the header; rows above it are titles. Rows below
    it made only of header names (under merged or grouped headings) belong to the header too."""
    for index, (_line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if len({header_key(text) for text in cells} - {None}) < 2:  # a row of one column's names is no header
            continue
        end = index + 1
        while end < min(index + HEADER_ROWS, len(rows)) and continues_header(rows[index:end], rows[end][1]):
            end += 1
        above = rows[index - 1][1] if index else []
        headers, keys = combine([cells for _l, cells in rows[index:end]], above)
        table = check_header(headers, keys, sheet, rows[index][0])
        table.line = rows[index][0]
        names = [normalize(text) for text in headers]
        for line, data in rows[end:]:
            label = summary_label(data)
            if label is not None:
                table.summary_rows.append((line, label))
            elif not repeats_header(data, names):
                table.rows.append((line, data))
        return table
    return None


def repeats_header(cells, names):
    """A row that repeats the header (a file printed page by page); stops at the first cell that differs."""
    return len(cells) <= len(names) and all(normalize(text) == name for text, name in zip(cells, names))


def continues_header(block, cells):
    """A row under the header rows is a header row too if it names a column and each of its cells is a header
    name, repeats the heading above it (a merged cell) or sits under a heading that is no column name (建设情况
    over 状态, 计划投资 over (万元))."""
    if not any(header_key(text) for text in cells):
        return False
    headings = combine([row for _line, row in block], [])[0]
    for column, text in enumerate(cells):
        heading = headings[column] if column < len(headings) else ""
        known = is_header_name(text) or header_key(heading + text) or header_key(heading) is None
        if text and not (known or text == heading):
            return False
    return True


def combine(block, above):
    """One header per column from the header rows: the lowest text, or all of them joined when only that is a
    known header (计划投资 over (万元)); an empty header cell takes a known header name just above it."""
    width = max(len(cells) for cells in block)
    headers, keys = [], []
    for column in range(width):
        texts = [cells[column] for cells in block if column < len(cells) and cells[column]]
        if not texts and column < len(above) and header_key(above[column]):
            texts = [above[column]]
        unique = list(dict.fromkeys(texts))
        header = texts[-1] if texts else ""
        if header_key(header) is None and len(unique) > 1 and header_key("".join(unique)):
            header = "".join(unique)
        headers.append(header)
        keys.append(header_key(header))
    return headers, keys


def check_header(values, keys, sheet, line):
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
        message = _("Header row: %(problems)s.") % {"problems": "; ".join(problems)}
        if sheet is not None:
            message = _("%(sheet)s sheet, header row %(row)d: %(problems)s.") % {
                "sheet": sheet,
                "row": line,
                "problems": "; ".join(problems),
            }
        raise FileProblem(message)
    return Table(sheet=sheet, headers=list(values), keys=list(keys))
