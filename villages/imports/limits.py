"""How much an import file may hold, checked before a spreadsheet library sees it and while it is read.

What a file says about itself is never trusted: a sheet's declared dimension, a zip's declared sizes. An
XLSX or ODS is unzipped part by part (sizes and CRCs checked, at most IMPORT_MAX_UNZIPPED_BYTES, no part more
than IMPORT_MAX_ZIP_RATIO times smaller zipped) and its XML parsed by expat with any DTD refused, so no entity
is ever declared or expanded, counting the rows, cells and text calamine would build. An XLS's records are
walked the way calamine walks them. calamine keeps every cell of a sheet's used range (32 bytes each), so a
file whose used ranges or declared dimensions exceed the limits is refused before calamine opens it.
"""

import io
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
        self.rows = self.cells = self.sheets = 0

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
        self.text = 0
        self.merges = {}  # table name -> [((top, left), (bottom, right))], for formats calamine gives none

    def parse(self, stream):
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = self.refuse_dtd
        parser.EntityDeclHandler = self.refuse_dtd
        parser.StartElementHandler = self.start
        parser.CharacterDataHandler = self.characters
        parser.buffer_text = True
        run = 0  # bytes since the last '>'; expat would hold a longer tag or text whole
        try:
            while chunk := stream.read(CHUNK):
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
        self.budget.check_text(self.text, self.part)

    def count_element(self):
        """Cells, shared strings, rows: what the scan and calamine spend time on."""
        self.elements += 1
        if self.elements > 2 * settings.IMPORT_MAX_CELLS:
            self.budget.refuse(_("it holds more than %(limit)d cells."), limit=settings.IMPORT_MAX_CELLS)

    def start(self, name, attrs):
        raise NotImplementedError

    def finish(self):
        if self.extent.rows:
            self.budget.add_extent(self.extent)


class OoxmlScan(XmlScan):
    """XLSX parts: <row> and <c r="B7"> with a <v> or <is> as calamine reads them, and shared strings <si>."""

    def __init__(self, budget, part):
        super().__init__(budget, part)
        self.row = self.column = -1
        self.row_elements = 0

    def start(self, name, attrs):
        name = name.rpartition(":")[2]
        if name == "c":
            self.count_element()
            self.text = 0
            reference = attrs.get("r")
            if reference:
                match = CELL_REF.match(reference)
                if not match:
                    self.budget.refuse(
                        _("%(part)s has an invalid cell reference %(ref)s."), part=self.part, ref=reference[:20]
                    )
                self.column, self.row = column_number(match.group(1)), int(match.group(2)) - 1
            else:
                self.column += 1
        elif name in ("v", "is"):
            self.extent.add(max(self.row, 0), max(self.column, 0))
        elif name == "row":
            self.row_elements += 1
            self.budget.check_rows(self.row_elements)
            self.row = int(attrs["r"]) - 1 if attrs.get("r", "").isdigit() else self.row + 1
            self.column = -1
        elif name == "si":
            self.count_element()
            self.text = 0


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
    """The kind of a zipped workbook ("xlsx", "ods" or "xlsb"), every part read and checked; and the merged
    ranges of an ODS's tables (calamine gives none for ODS)."""
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
    if len(set(names)) != len(names):
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
    if "xl/workbook.bin" in names:
        return "xlsb", {}
    kind = "ods" if "content.xml" in names and "xl/workbook.xml" not in names else "xlsx"
    scanner = OdsScan if kind == "ods" else OoxmlScan
    merges = {}
    for part in parts:
        try:
            with archive.open(part) as stream:
                if part.filename.lower().endswith((".xml", ".rels")):
                    scan = scanner(budget, part.filename)
                    scan.parse(stream)
                    merges.update(scan.merges)
                else:
                    while stream.read(CHUNK):
                        pass
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError, ValueError):
            budget.refuse(_("%(part)s is damaged (its data or checksum is wrong)."), part=printable(part.filename))
    return kind, merges


# BIFF records (MS-XLS) that hold a cell with a value, and where its row and column are.
# NUMBER, RK, LABELSST, LABEL, RSTRING, FORMULA, BOOLERR: row and column first. (calamine skips BLANK records.)
CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0006, 0x0205}
MULRK, DIMENSIONS, BOUNDSHEET, BOF, EOF, FILEPASS = 0x00BD, 0x0200, 0x0085, 0x0809, 0x000A, 0x002F


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
    if len(body) >= 14:
        top, bottom, left, right = struct.unpack_from("<IIHH", body)
    elif len(body) >= 8:
        top, bottom, left, right = struct.unpack_from("<HHHH", body)
    else:
        return
    if bottom < top or right < left:
        budget.refuse(_("sheet %(sheet)s declares an impossible dimension."), sheet=sheet)
    budget.check_columns(sheet, right - left)
    budget.check_rows(bottom - top)
    budget.check_cells((bottom - top) * (right - left) + budget.cells)


def biff_records(data, offset):
    position = offset
    while position + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, position)
        yield kind, data[position + 4 : position + 4 + length]
        position += 4 + length


def is_cfb(content):
    return content[:8] == CFB_SIGNATURE
