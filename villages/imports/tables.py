"""The tables of an import file: in each sheet the header (title rows above it skipped, one to three header rows,
merged cells filled), the rows below it, and the summary rows (合计, 总计, 小计) set apart.

Sheets without a header (instructions such as 填报说明) and hidden sheets are skipped; the result says so. Which
column names a header may hold is a Vocabulary: the village list's by default, the project pool's
(villages/projects/imports) its own.
"""

from collections.abc import Callable
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
    summary_cells: dict = field(default_factory=dict)  # row number -> the cells of a summary row

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


def village_header_problems(seen):
    problems = []
    if "code" not in seen and not {"name", "county"} <= set(seen):
        problems.append(_("the header needs a code column (村代码), or a county (县(市、区)) and a name (村名) column"))
    if ("lon" in seen) != ("lat" in seen):
        problems.append(_("经度 and 纬度 must be given together"))
    return problems


@dataclass(frozen=True)
class Vocabulary:
    """The column names a kind of table knows."""

    keys: dict  # normalized header text -> column key
    ignored: tuple  # normalized headers of columns read as nothing (序号)
    header_problems: Callable  # {key: header as written} -> [what the header lacks]
    examples: str  # known column names the "no header" message gives
    joined_first: bool = False  # a column under two header rows is named by both when they name a column together

    def key(self, text):
        return self.keys.get(normalize(text)) if text else None


VILLAGE_COLUMNS = Vocabulary(HEADER_KEYS, IGNORED_HEADERS, village_header_problems, "村代码, 村名, 县(市、区), 状态")


def header_key(text, vocabulary=VILLAGE_COLUMNS):
    return vocabulary.key(text)


def is_header_name(text, vocabulary=VILLAGE_COLUMNS):
    return vocabulary.key(text) is not None or normalize(text) in vocabulary.ignored


def summary_label(cells):
    """The cell that makes a row a summary row (合计, 榆次区小计, 总 计：...) among its first two non-empty cells."""
    for text in [cell for cell in cells if cell][:2]:
        if "计" not in text:  # every summary word ends with it: most rows are told apart without normalizing
            continue
        word = normalize(text).rstrip(":：")
        if len(word) <= 12 and word.endswith(SUMMARY_WORDS):
            return text
    return None


def read_tables(content, filename, encoding=None, vocabulary=VILLAGE_COLUMNS):
    sheets = read_sheets(content, filename, encoding, vocabulary.keys)
    is_csv = len(sheets) == 1 and sheets[0].encoding != ""
    result = Tables(
        [], encoding=sheets[0].encoding if sheets else "", encoding_detected=is_csv and sheets[0].encoding_detected
    )
    for sheet in sheets:
        if sheet.hidden:
            result.skipped_sheets.append((sheet.name, _("hidden")))
            continue
        table = find_header(sheet.rows, None if is_csv else sheet.name, vocabulary)
        if table is None:
            result.skipped_sheets.append((sheet.name, _("no header row")))
        else:
            result.tables.append(table)
    if not result.tables:
        raise FileProblem(
            _(
                "No header row found in the first %(count)d rows: the header needs at least two known column names such as %(examples)s."
            )
            % {"count": HEADER_SEARCH_ROWS, "examples": vocabulary.examples}
            + ("" if is_csv else " " + _("Sheets read: %(sheets)s.") % {"sheets": "、".join(s.name for s in sheets)})
        )
    return result


def find_header(rows, sheet, vocabulary=VILLAGE_COLUMNS):
    """The first row naming at least two known columns starts the header; rows above it are titles. Rows below
    it made only of header names (under merged or grouped headings) belong to the header too."""
    for index, (_line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if len({vocabulary.key(text) for text in cells} - {None}) < 2:  # a row of one column's names is no header
            continue
        end = index + 1
        while end < min(index + HEADER_ROWS, len(rows)) and continues_header(rows[index:end], rows[end][1], vocabulary):
            end += 1
        above = rows[index - 1][1] if index else []
        headers, keys = combine([cells for _l, cells in rows[index:end]], above, vocabulary)
        table = check_header(headers, keys, sheet, rows[index][0], vocabulary)
        table.line = rows[index][0]
        names = [normalize(text) for text in headers]
        for line, data in rows[end:]:
            label = summary_label(data)
            if label is not None:
                table.summary_rows.append((line, label))
                table.summary_cells[line] = data
            elif not repeats_header(data, names):
                table.rows.append((line, data))
        return table
    return None


def repeats_header(cells, names):
    """A row that repeats the header (a file printed page by page); stops at the first cell that differs."""
    return len(cells) <= len(names) and all(normalize(text) == name for text, name in zip(cells, names))


def continues_header(block, cells, vocabulary=VILLAGE_COLUMNS):
    """A row under the header rows is a header row too if it names a column and each of its cells is a header
    name, repeats the heading above it (a merged cell) or sits under a heading that is no column name (建设情况
    over 状态, 计划投资 over (万元))."""
    if not any(vocabulary.key(text) for text in cells):
        return False
    headings = combine([row for _line, row in block], [], vocabulary)[0]
    for column, text in enumerate(cells):
        heading = headings[column] if column < len(headings) else ""
        known = is_header_name(text, vocabulary) or vocabulary.key(heading + text) or vocabulary.key(heading) is None
        if text and not (known or text == heading):
            return False
    return True


def combine(block, above, vocabulary=VILLAGE_COLUMNS):
    """One header per column from the header rows: the lowest text, or all of them joined when only that is a
    known header (计划投资 over (万元)) or the vocabulary puts the joined name first (已支出 over 中央衔接资金); an
    empty header cell takes a known header name just above it."""
    width = max(len(cells) for cells in block)
    headers, keys = [], []
    for column in range(width):
        texts = [cells[column] for cells in block if column < len(cells) and cells[column]]
        if not texts and column < len(above) and vocabulary.key(above[column]):
            texts = [above[column]]
        unique = list(dict.fromkeys(texts))
        header = texts[-1] if texts else ""
        if (
            (vocabulary.joined_first or vocabulary.key(header) is None)
            and len(unique) > 1
            and vocabulary.key("".join(unique))
        ):
            header = "".join(unique)
        headers.append(header)
        keys.append(vocabulary.key(header))
    return headers, keys


def check_header(values, keys, sheet, line, vocabulary=VILLAGE_COLUMNS):
    while values and not values[-1]:
        values, keys = values[:-1], keys[:-1]
    problems, seen = [], {}
    for index, (header, key) in enumerate(zip(values, keys)):
        if key is None and header and normalize(header) not in vocabulary.ignored:
            problems.append(
                _("column %(column)d: %(header)s is not a known column name") % {"column": index + 1, "header": header}
            )
        elif key is not None and key in seen:
            problems.append(
                _("columns %(first)s and %(second)s both give the same field") % {"first": seen[key], "second": header}
            )
        elif key is not None:
            seen[key] = header
    problems += vocabulary.header_problems(seen)
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
