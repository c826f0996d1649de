"""How much an import file may hold, checked before a spreadsheet library sees it and while it is read.

What a file says about itself is never trusted: a sheet's declared dimension, a zip's declared sizes. An
XLSX or ODS is unzipped part by part (sizes and CRCs checked, at most IMPORT_MAX_UNZIPPED_BYTES, no part more
than IMPORT_MAX_ZIP_RATIO times smaller zipped) and its XML parsed by expat with any DTD refused, so no entity
is ever declared or expanded, counting the rows, cells and text calamine would build. An XLSB's binary
parts (BIFF12 records) and an XLS's records are walked the way calamine walks them. calamine keeps every
cell of a sheet's used range (32 bytes each), so a file whose used ranges or declared dimensions exceed the
limits is refused before calamine opens it.
"""

import contextlib
import io
import itertools
import posixpath
import re
import struct
import zipfile
import zlib
from xml.parsers import expat

import olefile
from django.conf import settings
from django.utils.translation import gettext as _

MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_RUN_BYTES = 1 << 20  # no tag or text between two '>' is that long in a real file
SMALL_PART = 1 << 20  # parts under this size are not held to the zip ratio
MAX_PARTS = 10_000
MAX_SHEETS = 1_000
MAX_MERGES = 100_000  # merged ranges in a file; calamine hands them over as Python tuples
CHUNK = 1 << 16
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


class FileProblem(Exception):
    """The file as a whole cannot be read, or is over a limit; the message names the file."""


class Extent:
    """The smallest range holding every cell with a value, as calamine keeps it."""

    def __init__(self, name):
        self.name = name
        self.top = self.left = None
        self.bottom = self.right = -1

    def add(self, row, column, rows=1, columns=1):
        self.top = row if self.top is None else min(self.top, row)
        self.left = column if self.left is None else min(self.left, column)
        self.bottom = max(self.bottom, row + rows - 1)
        self.right = max(self.right, column + columns - 1)

    @property
    def rows(self):
        return 0 if self.top is None else self.bottom - self.top + 1

    @property
    def columns(self):
        return 0 if self.left is None else self.right - self.left + 1


class Budget:
    """What the sheets of one file add up to, against the settings' limits."""

    def __init__(self, filename):
        self.filename = filename
        self.rows = self.cells = self.sheets = self.merges = 0
        self.records = 0  # an XLSB's, walked in Python: limited for the whole file
        self.max_records = 2 * settings.IMPORT_MAX_CELLS + settings.IMPORT_MAX_ROWS

    def refuse(self, message, **values):
        raise FileProblem(
            _("%(name)s cannot be imported: %(problem)s") % {"name": self.filename, "problem": message % values}
        )

    def add(self, sheet, rows, columns):
        self.sheets += 1
        self.rows += rows
        self.cells += rows * columns
        if self.sheets > MAX_SHEETS:
            self.refuse(_("it has more than %(limit)d sheets."), limit=MAX_SHEETS)
        self.check_columns(sheet, columns)
        self.check_rows(self.rows)
        self.check_cells(self.cells)

    def count_records(self, records, part):
        self.records = records
        if records > self.max_records:
            self.refuse(_("%(part)s holds more than %(limit)d records."), part=part, limit=self.max_records)

    def add_merges(self, count):
        self.merges += count
        if self.merges > MAX_MERGES:
            self.refuse(_("it has more than %(limit)d merged ranges."), limit=MAX_MERGES)

    def check_columns(self, sheet, columns):
        if columns > settings.IMPORT_MAX_COLUMNS:
            self.refuse(
                _("sheet %(sheet)s spans %(columns)d columns; an import reads at most %(limit)d."),
                sheet=sheet,
                columns=columns,
                limit=settings.IMPORT_MAX_COLUMNS,
            )

    def add_extent(self, extent):
        self.add(extent.name, extent.rows, extent.columns)

    def check_rows(self, rows):
        if rows > settings.IMPORT_MAX_ROWS:
            self.refuse(_("it has more than %(limit)d rows."), limit=settings.IMPORT_MAX_ROWS)

    def check_cells(self, cells):
        if cells > settings.IMPORT_MAX_CELLS:
            self.refuse(
                _("its sheets span more than %(limit)d cells (rows × columns of the area holding values)."),
                limit=settings.IMPORT_MAX_CELLS,
            )

    def check_text(self, length, where):
        if length > MAX_CELL_CHARS:
            self.refuse(
                _("%(where)s holds a text longer than %(limit)d characters, more than a spreadsheet cell can hold."),
                where=where,
                limit=MAX_CELL_CHARS,
            )


def printable(name):
    """A part's name as a message may show it (a hostile zip can name a part anything)."""
    text = "".join(c if c.isprintable() else "?" for c in name)
    return text if len(text) <= 80 else text[:80] + "…"


def column_number(letters):
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number - 1


class XmlScan:
    """Counts an XML part's rows, cells and texts; a subclass says which elements are which."""

    def __init__(self, budget, part):
        self.budget, self.part = budget, printable(part)
        self.extent = Extent(self.part)
        self.elements = 0
        self.max_elements = 2 * settings.IMPORT_MAX_CELLS
        self.text = 0
        self.merges = {}  # table name -> [((top, left), (bottom, right))], for formats calamine gives none

    def parse(self, chunks):
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = self.refuse_dtd
        parser.EntityDeclHandler = self.refuse_dtd
        parser.StartElementHandler = self.start
        parser.CharacterDataHandler = self.characters
        parser.buffer_text = True
        run = 0  # bytes since the last '>'; expat would hold a longer tag or text whole
        try:
            for chunk in chunks:
                first = chunk.find(b">")
                if (run + len(chunk) if first < 0 else run + first) > MAX_RUN_BYTES:
                    self.budget.refuse(_("%(part)s holds a tag or a text of more than 1 MB."), part=self.part)
                run = run + len(chunk) if first < 0 else len(chunk) - chunk.rfind(b">") - 1
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            self.budget.refuse(
                _("%(part)s is not valid XML (line %(line)d: %(error)s)."),
                part=self.part,
                line=error.lineno,
                error=expat.ErrorString(error.code),
            )
        self.finish()

    def refuse_dtd(self, *args):
        self.budget.refuse(_("%(part)s declares a DTD or entities, which no spreadsheet does."), part=self.part)

    def characters(self, data):
        self.text += len(data)
        if self.text > MAX_CELL_CHARS:
            self.budget.check_text(self.text, self.part)

    def count_element(self):
        """Cells, shared strings, rows: what the scan and calamine spend time on."""
        self.elements += 1
        if self.elements > self.max_elements:
            self.budget.refuse(_("it holds more than %(limit)d cells."), limit=settings.IMPORT_MAX_CELLS)

    def start(self, name, attrs):
        raise NotImplementedError

    def finish(self):
        if self.extent.rows:
            self.budget.add_extent(self.extent)


class OoxmlScan(XmlScan):
    """XLSX parts: <row> and <c r="B7"> with a <v> or <is> as calamine reads them, and shared strings <si>.
    (Written for speed: it sees every element of a sheet.)"""

    def __init__(self, budget, part, name=None):
        super().__init__(budget, part)
        self.extent.name = name or self.part
        self.row = self.column = -1
        self.row_elements = 0
        self.max_rows = settings.IMPORT_MAX_ROWS
        self.top = self.left = 1 << 40
        self.bottom = self.right = -1
        self.columns = {}  # letters -> column number
        self.local_names = {}

    def start(self, name, attrs):
        local = self.local_names.get(name)
        if local is None:
            local = self.local_names[name] = name.rpartition(":")[2]
        if local == "c":
            self.count_element()
            self.text = 0
            reference = attrs.get("r")
            if reference:
                self.locate(reference)
            else:
                self.column += 1
        elif local == "v" or local == "is":
            row, column = max(self.row, 0), max(self.column, 0)
            if row < self.top:
                self.top = row
            if row > self.bottom:
                self.bottom = row
            if column < self.left:
                self.left = column
            if column > self.right:
                self.right = column
        elif local == "row":
            self.row_elements += 1
            if self.row_elements > self.max_rows:
                self.budget.check_rows(self.row_elements)
            number = attrs.get("r", "")
            self.row = int(number) - 1 if number.isdigit() and len(number) < 8 else self.row + 1
            self.column = -1
        elif local == "si":
            self.count_element()
            self.text = 0
        elif local == "mergeCell":
            self.budget.add_merges(1)

    def locate(self, reference):
        letters = reference.rstrip("0123456789")
        column = self.columns.get(letters)
        if column is None:
            match = CELL_REF.match(reference)
            if not match:
                self.budget.refuse(
                    _("%(part)s has an invalid cell reference %(ref)s."), part=self.part, ref=reference[:20]
                )
            column = self.columns[letters] = column_number(match.group(1))
        digits = reference[len(letters) :]
        if not digits.isdigit() or len(digits) > 7:
            self.budget.refuse(_("%(part)s has an invalid cell reference %(ref)s."), part=self.part, ref=reference[:20])
        self.column, self.row = column, int(digits) - 1

    def finish(self):
        if self.bottom >= 0:
            self.extent.add(self.top, self.left, self.bottom - self.top + 1, self.right - self.left + 1)
        super().finish()


def number(attrs, name, default=1):
    value = attrs.get(name, default)
    try:
        return max(int(value), 1)
    except ValueError:
        return default


class OdsScan(XmlScan):
    """ODS content: tables, rows and cells with their repetitions and spans, and text:s runs of spaces."""

    def __init__(self, budget, part):
        super().__init__(budget, part)
        self.table = None
        self.row = self.rows = self.next_row = 0
        self.column = self.columns = self.next_column = 0
        self.in_cell = False

    def start(self, name, attrs):
        name = name.rpartition(":")[2]
        if name not in ("table", "table-row", "table-cell", "covered-table-cell", "p", "s", "tab", "line-break"):
            return
        attrs = {key.rpartition(":")[2]: value for key, value in attrs.items()}
        if name == "table":
            self.finish()
            self.table = attrs.get("name", "")
            self.extent = Extent(self.table)
            self.merges[self.table] = []
            self.next_row = 0
            self.in_cell = False
        elif name == "table-row":
            self.count_element()
            self.row, self.rows = self.next_row, number(attrs, "number-rows-repeated")
            self.next_row = self.row + self.rows
            self.next_column = 0
            self.in_cell = False
        elif name in ("table-cell", "covered-table-cell"):
            self.count_element()
            self.text = 0
            self.in_cell = True
            self.column, self.columns = self.next_column, number(attrs, "number-columns-repeated")
            self.next_column = self.column + self.columns
            if "value-type" in attrs:
                self.mark()
            spanned = number(attrs, "number-rows-spanned"), number(attrs, "number-columns-spanned")
            if spanned != (1, 1) and self.table is not None:
                self.budget.add_merges(1)
                self.merges[self.table].append(
                    ((self.row, self.column), (self.row + spanned[0] - 1, self.column + spanned[1] - 1))
                )
        elif name == "p":
            self.mark()
        elif name == "s":
            self.characters(" " * min(number(attrs, "c"), MAX_CELL_CHARS + 1))
        else:
            self.characters(" ")

    def mark(self):
        if self.in_cell:
            self.extent.add(self.row, self.column, self.rows, self.columns)


def check_zip(content, budget):
    """Every part of a zipped workbook (XLSX, XLSB or ODS) read and checked; the merged ranges of an ODS's
    tables and an XLSB's sheets (calamine gives none for them)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, struct.error, ValueError, EOFError, OSError):
        budget.refuse(
            _("it is not a readable Excel (.xlsx) or ODS workbook: its zip container is damaged or incomplete.")
        )
    names = [part.filename for part in parts]
    if len(parts) > MAX_PARTS:
        budget.refuse(_("its zip container holds more than %(limit)d parts."), limit=MAX_PARTS)
    folded = {folded_name(name): name for name in names}  # calamine finds an XLSB's parts whatever their case
    if len(folded) != len(names):
        budget.refuse(_("its zip container holds two parts of the same name."))
    total = sum(part.file_size for part in parts)
    if total > settings.IMPORT_MAX_UNZIPPED_BYTES:
        budget.refuse(
            _("it unzips to %(size)d MB; an import reads at most %(limit)d MB."),
            size=total // 2**20,
            limit=settings.IMPORT_MAX_UNZIPPED_BYTES // 2**20,
        )
    for part in parts:
        if part.file_size > SMALL_PART and part.file_size > settings.IMPORT_MAX_ZIP_RATIO * max(part.compress_size, 1):
            budget.refuse(
                _(
                    "%(part)s unzips to %(ratio)d times its zipped size (at most %(limit)d): a zip bomb, not a workbook."
                ),
                part=printable(part.filename),
                ratio=part.file_size // max(part.compress_size, 1),
                limit=settings.IMPORT_MAX_ZIP_RATIO,
            )
    kind = "ods" if "content.xml" in names and "xl/workbook.xml" not in folded else "xlsx"
    sheets = sheet_parts(archive, budget) if kind == "xlsx" else {}
    # calamine reads a zip with an xl/workbook.bin as an XLSB when it cannot read it as an XLSX: checked as both
    binary = xlsb_parts(archive, budget, folded) if XLSB_WORKBOOK in folded else {}
    merges = {}
    for part in parts:
        with reading(budget, part.filename), archive.open(part) as stream:
            chunks = iter(lambda stream=stream: stream.read(CHUNK), b"")
            if part.filename in binary:
                scan = Biff12Scan(budget, part.filename, binary[part.filename])
                scan.parse(chunks)
                merges.update(scan.merges)
                continue
            first = next(chunks, b"")
            if part.filename.lower().endswith((".xml", ".rels")) or is_xml(first):
                # calamine reads a sheet from wherever the workbook's relationships say, whatever its name
                if kind == "ods":
                    scan = OdsScan(budget, part.filename)
                else:
                    scan = OoxmlScan(budget, part.filename, sheets.get(part.filename))
                scan.parse(itertools.chain([first], chunks))
                merges.update(scan.merges)
            else:
                for _chunk in chunks:
                    pass
    return merges


@contextlib.contextmanager
def reading(budget, part):
    """Reading `part` of the zip: a damaged part is a file problem."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError, ValueError):
        budget.refuse(_("%(part)s is damaged (its data or checksum is wrong)."), part=printable(part))


def folded_name(name):
    return name.replace("\\", "/").lower()


def is_xml(chunk):
    return chunk.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


class ElementScan(XmlScan):
    """The attributes of some elements of a small XML part (a workbook's sheet list and relationships)."""

    def __init__(self, budget, part, names):
        super().__init__(budget, part)
        self.names, self.found = names, []

    def start(self, name, attrs):
        self.count_element()
        if name.rpartition(":")[2] in self.names:
            self.found.append(attrs)


def read_elements(archive, budget, part, *names):
    if part not in archive.namelist():
        return []
    scan = ElementScan(budget, part, names)
    with reading(budget, part), archive.open(part) as stream:
        scan.parse(iter(lambda: stream.read(CHUNK), b""))
    return scan.found


def sheet_parts(archive, budget):
    """{part: sheet name} of an XLSX, as calamine finds its sheets (xl/workbook.xml and its relationships).
    A part named by two sheets would be read twice past the limits: refused."""
    targets = {}
    for attrs in read_elements(archive, budget, "xl/_rels/workbook.xml.rels", "Relationship"):
        target = attrs.get("Target", "")
        targets[attrs.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    parts = {}
    for attrs in read_elements(archive, budget, "xl/workbook.xml", "sheet"):
        relation = next((value for key, value in attrs.items() if key.rpartition(":")[2] == "id"), None)
        part = targets.get(relation)
        if part in parts:
            budget.refuse(_("two of its sheets are the same part %(part)s."), part=printable(part))
        if part:
            parts[part] = printable(attrs.get("name", part))
    return parts


# BIFF12 records (MS-XLSB 2.4) of the parts calamine reads from an .xlsb. A record is its type (1 or 2 bytes)
# and its size (1 to 4 bytes), 7 bits a byte, the high bit saying another byte follows; then its body.
XLSB_WORKBOOK, XLSB_RELATIONSHIPS = "xl/workbook.bin", "xl/_rels/workbook.bin.rels"
XLSB_STYLES = "xl/styles.bin"
XLSB_READ_ALSO = ("xl/sharedstrings.bin", XLSB_STYLES)
XLSB_ROWS, XLSB_COLUMNS = 1_048_576, 16_384
ROW_HEADER, CELL_BLANK, SST_ITEM, WS_DIMENSION, MERGE_CELL, BUNDLE_SHEET = 0x00, 0x01, 0x13, 0x94, 0xB0, 0x9C
# Cells with a value, the column their first 4 bytes, and the fewest bytes each holds (calamine reads a shorter
# one's value from the record before): calamine keeps types 2 to 10 (BrtCellRk … BrtFmlaBool); BrtFmlaError
# and BrtCellRString are counted too. Where a text's length (then its UTF-16) starts in a body:
XLSB_VALUES = {2: 12, 3: 9, 4: 9, 5: 16, 6: 12, 7: 12, 8: 12, 9: 16, 10: 9, 11: 9, 0x3E: 13}
XLSB_TEXTS = {0x06: 8, 0x08: 8, 0x3E: 9, SST_ITEM: 1}
HEADER_BYTES = 6


class Biff12Scan:
    """Walks one binary part of an XLSB record by record, in chunks: a sheet's rows, the extent of its cells
    with a value, its merged ranges and declared dimension; texts' lengths; a workbook's sheets."""

    def __init__(self, budget, part, sheet=None):
        self.budget, self.sheet = budget, sheet
        name = printable(part)
        self.part = _("%(part)s (sheet %(sheet)s)") % {"part": name, "sheet": sheet} if sheet else name
        self.extent = Extent(sheet or name)
        self.merges = {}
        self.sheets = []  # a workbook's (relationship id, sheet name)

    def parse(self, chunks):
        budget, values, texts = self.budget, XLSB_VALUES, XLSB_TEXTS
        unpack = struct.unpack_from
        max_rows = settings.IMPORT_MAX_ROWS
        records = budget.records  # counted here, for speed, and handed back at the end
        data, pos, offset, more = b"", 0, 0, True
        row = rows = 0
        top = left = 1 << 40
        bottom = right = -1
        while True:
            if more and len(data) - pos < HEADER_BYTES:
                data, pos, offset, more = self.refill(chunks, data, pos, offset)
            end = len(data)
            if pos >= end:
                break
            at = offset + pos  # where the record starts in the part
            kind = data[pos]
            pos += 1
            if kind & 0x80:
                if pos >= end:
                    self.truncated(at)
                kind = (kind & 0x7F) | (data[pos] & 0x7F) << 7
                pos += 1
            size = shift = 0
            while True:
                if pos >= end:
                    self.truncated(at)
                byte = data[pos]
                pos += 1
                size |= (byte & 0x7F) << shift
                if byte < 0x80 or shift == 21:
                    break
                shift += 7
            if size > MAX_RUN_BYTES:
                budget.refuse(_("%(part)s holds a record of more than 1 MB."), part=self.part)
            while more and pos + size > len(data):
                data, pos, offset, more = self.refill(chunks, data, pos, offset)
            if pos + size > len(data):
                self.truncated(at)
            records += 1
            if records > budget.max_records:
                budget.count_records(records, self.part)
            if kind in values:
                if size < values[kind]:
                    self.too_short(at)
                (column,) = unpack("<I", data, pos)
                if column >= XLSB_COLUMNS:
                    self.outside()
                if row < top:
                    top = row
                if row > bottom:
                    bottom = row
                if column < left:
                    left = column
                if column > right:
                    right = column
                if kind in texts:
                    self.text(data, pos, size, texts[kind], at)
            elif kind == ROW_HEADER:
                if size < 4:
                    self.too_short(at)
                (row,) = unpack("<I", data, pos)
                if row >= XLSB_ROWS:
                    self.outside()
                rows += 1
                if rows > max_rows:
                    budget.check_rows(rows)
            elif kind != CELL_BLANK:
                self.other(kind, data, pos, size, at)
            pos += size
        budget.count_records(records, self.part)
        if bottom >= 0:
            self.extent.add(top, left, bottom - top + 1, right - left + 1)
            budget.add_extent(self.extent)

    def refill(self, chunks, data, pos, offset):
        """The unread rest of `data` and the next chunk; (data, position, offset of data in the part, more)."""
        chunk = next(chunks, b"")
        return data[pos:] + chunk, 0, offset + pos, bool(chunk)

    def other(self, kind, data, pos, size, at):
        """`at`: where the record starts in the part, for a message."""
        if kind == SST_ITEM:
            self.text(data, pos, size, XLSB_TEXTS[kind], at)
        elif kind in (WS_DIMENSION, MERGE_CELL):
            if size < 16:
                self.too_short(at)
            top, bottom, left, right = struct.unpack_from("<IIII", data, pos)
            possible = top <= bottom < XLSB_ROWS and left <= right < XLSB_COLUMNS
            if kind == WS_DIMENSION and not possible:
                self.budget.refuse(
                    _("sheet %(sheet)s declares an impossible dimension."), sheet=self.sheet or self.part
                )
            if kind == MERGE_CELL and self.sheet and possible:
                self.budget.add_merges(1)
                self.merges.setdefault(self.sheet, []).append(((top, left), (bottom, right)))
        elif kind == BUNDLE_SHEET:
            relation, start = self.wide_string(data, pos + 8, pos + size, at)
            name, _start = self.wide_string(data, start, pos + size, at)
            if relation is not None:
                self.sheets.append((relation, printable(name or "")))

    def text(self, data, pos, size, start, at):
        if size < start + 4:
            self.too_short(at)
        (length,) = struct.unpack_from("<I", data, pos + start)
        if length > MAX_CELL_CHARS:
            self.budget.check_text(length, self.part)
        if size < start + 4 + 2 * length:
            self.too_short(at)

    def wide_string(self, data, start, end, at):
        """An XLWideString (length, then UTF-16) at `start`, None for a null one; and where the next field starts."""
        if start + 4 > end:
            self.too_short(at)
        (length,) = struct.unpack_from("<I", data, start)
        if length == 0xFFFFFFFF:
            return None, start + 4
        if start + 4 + 2 * length > end:
            self.too_short(at)
        return data[start + 4 : start + 4 + 2 * length].decode("utf-16-le", errors="replace"), start + 4 + 2 * length

    def truncated(self, at):
        self.budget.refuse(
            _("%(part)s is damaged: its record at byte %(offset)d runs past the end of the part."),
            part=self.part,
            offset=at,
        )

    def too_short(self, at):
        self.budget.refuse(
            _("%(part)s is damaged: its record at byte %(offset)d is too short for its type."),
            part=self.part,
            offset=at,
        )

    def outside(self):
        self.budget.refuse(
            _("sheet %(sheet)s has a cell outside a worksheet's 1048576 rows and 16384 columns."),
            sheet=self.sheet or self.part,
        )


def token_pattern(*kinds):
    """A regular expression skipping the record types, read as calamine reads them one after the other, that
    are none of `kinds` (a type below 0x80 may also be written in two bytes)."""
    ones, pairs = set(range(0x80)), {first: set() for first in range(0x80, 0x100)}
    for kind in kinds:
        if kind < 0x80:
            ones.discard(kind)
        first, second = (kind & 0x7F) | 0x80, kind >> 7
        pairs[first] |= {second, second | 0x80}
    byte = "\\x{:02x}".format
    choices = ["[" + "".join(map(byte, sorted(ones))) + "]"]
    free = [first for first, seconds in pairs.items() if not seconds]
    choices.append("[" + "".join(map(byte, free)) + "][\\x00-\\xff]")
    for first, seconds in pairs.items():
        if seconds:
            choices.append(byte(first) + "[^" + "".join(map(byte, sorted(seconds))) + "]")
    return re.compile(("(?:" + "|".join(choices) + ")*+").encode(), re.S)


STYLE_LISTS = {0x0267: 0x002C, 0x0269: 0x002F}  # BrtBeginFmts: BrtFmt records, BrtBeginCellXFs: BrtXF records
WORKBOOK_READ = (0x016A, 0x0027)  # BrtExternSheet, BrtName
WORKBOOK_STOPS = (0x009D, 0x0225, 0x018D, 0x0180, 0x009A, 0x0252, 0x0229, 0x009B, 0x0084)
STYLES_SKIP = token_pattern(*STYLE_LISTS)
WORKBOOK_SKIP = token_pattern(*WORKBOOK_READ, *WORKBOOK_STOPS)
END_BUNDLE_SHEETS = 0x0090
MAX_XLSB_INDEX_BYTES = 16 << 20


class CalamineWalk:
    """calamine reads xl/styles.bin and the end of xl/workbook.bin not record by record but type by type
    until it finds one it wants, then believes the size that follows and reserves it: walked the same way,
    so that no size it would reserve is over 1 MB."""

    def __init__(self, budget, part, data):
        self.budget, self.part, self.data = budget, printable(part), data

    def kind(self, pos):
        """(type, where its size starts), or None at the end of the part."""
        data = self.data
        if pos >= len(data) or (data[pos] & 0x80 and pos + 1 >= len(data)):
            return None
        if data[pos] & 0x80:
            return (data[pos] & 0x7F) | (data[pos + 1] & 0x7F) << 7, pos + 2
        return data[pos], pos + 1

    def body(self, start):
        """(size, where the body starts) of the size at `start`, or None at the end of the part."""
        size = shift = 0
        for pos in range(start, start + 4):
            if pos >= len(self.data):
                return None
            size |= (self.data[pos] & 0x7F) << shift
            shift += 7
            if self.data[pos] < 0x80:
                break
        if size > MAX_RUN_BYTES:
            self.budget.refuse(_("%(part)s holds a record of more than 1 MB."), part=self.part)
        self.budget.count_records(self.budget.records + 1, self.part)
        if pos + 1 + size > len(self.data):
            return None  # calamine stops there, having reserved no more than 1 MB
        return size, pos + 1

    def record(self, pos):
        """(type, size, where the body starts) of the record at `pos`, or None at the end of the part."""
        kind = self.kind(pos)
        body = kind and self.body(kind[1])
        return body and (kind[0], *body)

    def skip(self, pattern, pos):
        return pattern.match(self.data, pos).end()

    def styles(self):
        pos = 0
        while True:
            found = self.record(self.skip(STYLES_SKIP, pos))
            if found is None:
                return
            kind, size, pos = found
            count = struct.unpack_from("<I", self.data, pos)[0] if size >= 4 else 0
            pos += size
            for _item in range(count):
                while True:
                    found = self.record(pos)
                    if found is None:
                        return
                    pos = found[2] + found[1]
                    if found[0] == STYLE_LISTS[kind]:
                        break
            if kind == 0x0269:
                return

    def workbook(self):
        pos = 0
        while True:  # record by record up to BrtEndBundleShs, whose size calamine leaves unread
            kind = self.kind(pos)
            if kind is None:
                return
            if kind[0] == END_BUNDLE_SHEETS:
                pos = kind[1]
                break
            body = self.body(kind[1])
            if body is None:
                return
            pos = body[1] + body[0]
        while True:
            kind = self.kind(self.skip(WORKBOOK_SKIP, pos))
            if kind is None or kind[0] in WORKBOOK_STOPS:
                return
            body = self.body(kind[1])
            if body is None:
                return
            pos = body[1] + body[0]


def walk_as_calamine(archive, budget, part, walk):
    info = archive.getinfo(part)
    if info.file_size > MAX_XLSB_INDEX_BYTES:
        budget.refuse(
            _("%(part)s unzips to %(size)d MB; no workbook's is larger than %(limit)d MB."),
            part=printable(part),
            size=info.file_size // 2**20,
            limit=MAX_XLSB_INDEX_BYTES // 2**20,
        )
    with reading(budget, part):
        data = archive.read(info)
    getattr(CalamineWalk(budget, part, data), walk)()


def xlsb_parts(archive, budget, folded):
    """{part: sheet name, or None for another part calamine reads} of an XLSB, found as calamine finds them:
    xl/workbook.bin's sheets, their targets in xl/_rels/workbook.bin.rels under xl/, names in any case."""
    targets = {
        attrs.get("Id"): attrs.get("Target", "")
        for attrs in read_elements(archive, budget, XLSB_RELATIONSHIPS, "Relationship")
    }
    workbook = folded[XLSB_WORKBOOK]
    scan = Biff12Scan(budget, workbook)
    with reading(budget, workbook), archive.open(workbook) as stream:
        scan.parse(iter(lambda: stream.read(CHUNK), b""))
    walk_as_calamine(archive, budget, workbook, "workbook")
    if XLSB_STYLES in folded:
        walk_as_calamine(archive, budget, folded[XLSB_STYLES], "styles")
    parts = {folded[name]: None for name in XLSB_READ_ALSO if name in folded}
    for relation, name in scan.sheets:
        path = "xl/" + targets.get(relation, "")
        part = folded.get(path.lower(), path if path in archive.namelist() else None)
        if part in parts and parts[part]:
            budget.refuse(_("two of its sheets are the same part %(part)s."), part=printable(part))
        if part:
            parts[part] = name
    return parts


# BIFF records (MS-XLS) that hold a cell with a value, and where its row and column are.
# NUMBER, RK, LABELSST, LABEL, RSTRING, FORMULA, BOOLERR: row and column first. (calamine skips BLANK records.)
CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0006, 0x0205}
XLS_ROWS, XLS_COLUMNS = 65_536, 256
MULRK, DIMENSIONS, BOUNDSHEET, EOF, FILEPASS, MERGECELLS = 0x00BD, 0x0200, 0x0085, 0x000A, 0x002F, 0x00E5


def check_xls(content, budget):
    """Walk an XLS's sheets from where its BOUNDSHEET records say they start, as calamine does, adding up the
    cells with values and each sheet's declared DIMENSIONS (calamine reserves memory for them)."""
    try:
        ole = olefile.OleFileIO(content)
        streams = [name for name in ("Workbook", "Book") if ole.exists(name)]
        if ole.exists("EncryptedPackage"):
            raise FileProblem(
                _("%(name)s is protected by a password; save it without one and import it again.")
                % {"name": budget.filename}
            )
        if not streams:
            budget.refuse(_("it is not an Excel workbook (no Workbook stream)."))
        data = ole.openstream(streams[0]).read()
    except FileProblem:
        raise
    except Exception:  # olefile raises many kinds of errors on a damaged container
        budget.refuse(_("it is not a readable Excel workbook (its container is damaged)."))
    offsets = []
    for kind, body in biff_records(data, 0):
        if kind == FILEPASS:
            raise FileProblem(
                _("%(name)s is protected by a password; save it without one and import it again.")
                % {"name": budget.filename}
            )
        if kind == BOUNDSHEET and len(body) >= 8:
            offsets.append((struct.unpack_from("<I", body)[0], sheet_name(body)))
        elif kind == EOF:
            break
    walked = 0
    for offset, name in offsets:
        extent = Extent(name)
        for kind, body in biff_records(data, offset):
            walked += len(body) + 4
            if walked > len(data):
                budget.refuse(_("its sheets overlap."))
            if kind == EOF:
                break
            if kind == DIMENSIONS:
                declare(budget, extent.name, body)
            elif kind in CELL_RECORDS and len(body) >= 4:
                row, column = struct.unpack_from("<HH", body)
                extent.add(row, column)
            elif kind == MERGECELLS and len(body) >= 2:
                budget.add_merges(struct.unpack_from("<H", body)[0])
            elif kind == MULRK and len(body) >= 6:
                row, first = struct.unpack_from("<HH", body)
                (last,) = struct.unpack_from("<H", body, len(body) - 2)
                extent.add(row, first, 1, max(last - first + 1, 1))
        budget.add_extent(extent)


def sheet_name(body):
    length, wide = body[6], body[7] & 1
    raw = body[8 : 8 + length * (2 if wide else 1)]
    return printable(raw.decode("utf-16-le" if wide else "latin-1", errors="replace"))


def declare(budget, sheet, body):
    """calamine reserves memory for the cells a sheet declares: no more than an .xls sheet can hold."""
    if len(body) >= 14:
        top, bottom, left, right = struct.unpack_from("<IIHH", body)
    elif len(body) >= 8:
        top, bottom, left, right = struct.unpack_from("<HHHH", body)
    else:
        return
    if not (top <= bottom <= XLS_ROWS and left <= right <= XLS_COLUMNS):
        budget.refuse(_("sheet %(sheet)s declares an impossible dimension."), sheet=sheet)


def biff_records(data, offset):
    position = offset
    while position + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, position)
        yield kind, data[position + 4 : position + 4 + length]
        position += 4 + length


def is_cfb(content):
    return content[:8] == CFB_SIGNATURE
