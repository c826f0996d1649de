"""How much an import file may hold, checked before a spreadsheet library sees it and while it is read.

What a file says about itself is never trusted: a sheet's declared dimension, a zip's declared sizes. A zip's
directory is checked first (open_zip: parts, names, declared sizes and ratios). Then an XLSX or ODS is unzipped
part by part (CRCs checked, at most IMPORT_MAX_UNZIPPED_BYTES) and its XML parsed by expat with any DTD refused,
so no entity is ever declared or expanded, counting the rows, cells and text calamine would build, so an XLSX or
ODS whose used ranges exceed the limits is refused with what exceeds them (calamine, reading meanwhile in its
child process, is stopped). An XLSB's binary parts and an XLS's records are not walked here: calamine reads
them in a child process under a memory and a time limit (villages/imports/sandbox.py) and the sheets it
returns are held to the same limits.
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


def open_zip(content, budget):
    """A zipped workbook (XLSX, XLSB or ODS) whose container holds what its directory says it may: its parts'
    count, names and declared sizes; nothing is unzipped yet."""
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
    return archive


def is_ods(archive):
    names = archive.namelist()
    return "content.xml" in names and not any(folded_name(name) == "xl/workbook.xml" for name in names)


def check_parts(archive, budget):
    """Every part of an opened zip (open_zip) read and checked, its XML parts parsed (an XLSB's binary parts are
    only unzipped: calamine reads them in the child process); the merged ranges of an ODS's tables (calamine
    gives none for them)."""
    kind = "ods" if is_ods(archive) else "xlsx"
    sheets = sheet_parts(archive, budget) if kind == "xlsx" else {}
    merges = {}
    for part in archive.infolist():
        with reading(budget, part.filename), archive.open(part) as stream:
            chunks = iter(lambda stream=stream: stream.read(CHUNK), b"")
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


def check_cfb(content, budget):
    """An Excel 97-2003 file (a compound file): a password said as such; its records are calamine's to read, in
    the child process of villages/imports/sandbox.py."""
    try:
        ole = olefile.OleFileIO(content)
        encrypted = ole.exists("EncryptedPackage")
        workbook = ole.exists("Workbook") or ole.exists("Book")
    except Exception:  # olefile raises many kinds of errors on a damaged container
        budget.refuse(_("it is not a readable Excel workbook (its container is damaged)."))
    if encrypted:
        raise FileProblem(
            _("%(name)s is protected by a password; save it without one and import it again.")
            % {"name": budget.filename}
        )
    if not workbook:
        budget.refuse(_("it is not an Excel workbook (no Workbook stream)."))


def is_cfb(content):
    return content[:8] == CFB_SIGNATURE
