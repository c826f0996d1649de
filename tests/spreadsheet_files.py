"""Spreadsheets written by the tests and the benchmark: real XLSX (openpyxl), ODS (odfpy) and XLS, and the
hostile files an import must refuse, each made here, small.

XLSB: nothing installed writes Excel binary workbooks (LibreOffice and openpyxl do not). xlsb_workbook writes
one by [MS-XLSB]: the zip parts calamine reads (xl/workbook.bin, its relationships, one xl/worksheets/sheetN.bin
per sheet, xl/sharedStrings.bin) made of BIFF12 records, and the tests check that calamine reads it.

XLS: no maintained library writes Excel 97-2003 files (xlwt's last release was in 2017; LibreOffice is not
installed). xls_file writes one by the published specifications — a BIFF8 workbook stream ([MS-XLS]: BOF,
BOUNDSHEET, SST, LABELSST, NUMBER, MERGECELLS, EOF records) in a Compound File Binary container ([MS-CFB]
version 3) — and the tests check with xlrd, an independent reader, that it is a real .xls.
"""

import io
import struct
import zipfile

import openpyxl
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P


def xlsx_workbook(sheets, merges=None, hidden=()):
    """sheets: {name: [row, ...]} written by openpyxl; merges: {name: ["A1:C1", ...]}."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
        if name in hidden:
            sheet.sheet_state = "hidden"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def ods_workbook(sheets, spans=None):
    """sheets: {name: [row, ...]}; spans: {name: {(row, column): (rows, columns)}} merged cells (0-based)."""
    document = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        covered = set()
        for (row, column), (height, width) in (spans or {}).get(name, {}).items():
            covered |= {(r, c) for r in range(row, row + height) for c in range(column, column + width)} - {
                (row, column)
            }
        for r, values in enumerate(rows):
            element = TableRow()
            for c, value in enumerate(values):
                if (r, c) in covered:
                    element.addElement(CoveredTableCell())
                    continue
                options = {}
                height, width = (spans or {}).get(name, {}).get((r, c), (1, 1))
                if (height, width) != (1, 1):
                    options = {"numberrowsspanned": height, "numbercolumnsspanned": width}
                if value in ("", None):
                    element.addElement(TableCell(**options))
                    continue
                if isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value, **options)
                else:
                    cell = TableCell(valuetype="string", **options)
                cell.addElement(P(text=str(value)))
                element.addElement(cell)
            table.addElement(element)
        document.spreadsheet.addElement(table)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def record(kind, data=b""):
    return struct.pack("<HH", kind, len(data)) + data


def biff_string(text, length_bytes=2):
    return struct.pack("<B" if length_bytes == 1 else "<H", len(text)) + b"\x01" + text.encode("utf-16-le")


def bof(kind):
    return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def biff8_stream(sheets, merges=None, dimensions=None):
    """A BIFF8 workbook stream; sheets: {name: [row, ...]} (str cells as LABELSST, numbers as NUMBER);
    merges: {name: [(first row, last row, first column, last column)]}; dimensions: {name: (rows, columns)}
    to declare other than the real ones."""
    strings = []
    bodies = []
    for name, rows in sheets.items():
        cells = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v not in ("", None)}
        height = max((r for r, _c in cells), default=0) + 1
        width = max((c for _r, c in cells), default=0) + 1
        height, width = (dimensions or {}).get(name, (height, width))
        body = bof(0x0010) + record(0x0200, struct.pack("<IIHHH", 0, height, 0, width, 0))
        for (r, c), value in sorted(cells.items()):
            if isinstance(value, str):
                if value not in strings:
                    strings.append(value)
                body += record(0x00FD, struct.pack("<HHHI", r, c, 15, strings.index(value)))
            else:
                body += record(0x0203, struct.pack("<HHHd", r, c, 15, float(value)))
        ranges = (merges or {}).get(name, [])
        if ranges:
            body += record(0x00E5, struct.pack("<H", len(ranges)) + b"".join(struct.pack("<HHHH", *m) for m in ranges))
        bodies.append((name, body + record(0x000A)))
    font = record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + biff_string("Arial", 1))
    styles = [record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))] * 15
    cell_style = record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    head = bof(0x0005) + record(0x0042, struct.pack("<H", 1200)) + font * 5 + b"".join(styles) + cell_style
    sst = record(0x00FC, struct.pack("<II", len(strings), len(strings)) + b"".join(map(biff_string, strings)))
    tail = sst + record(0x000A)
    offset = len(head) + sum(len(record(0x0085, b"\0" * 6 + biff_string(n, 1))) for n, _b in bodies) + len(tail)
    boundsheets = b""
    for name, body in bodies:
        boundsheets += record(0x0085, struct.pack("<IBB", offset, 0, 0) + biff_string(name, 1))
        offset += len(body)
    return head + boundsheets + tail + b"".join(body for _n, body in bodies)


def compound_file(stream, name="Workbook"):
    """A Compound File Binary (MS-CFB version 3) holding one stream in 512-byte sectors."""
    stream += b"\0" * (max(4096, -(-len(stream) // 512) * 512) - len(stream))
    sectors = len(stream) // 512
    fat_sectors = -(-(sectors + 2) // 127)
    first = fat_sectors + 1  # FAT sectors, then the directory sector, then the stream
    fat = [0xFFFFFFFD] * fat_sectors + [0xFFFFFFFE] + [first + i + 1 for i in range(sectors - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (fat_sectors * 128 - len(fat))
    difat = list(range(fat_sectors)) + [0xFFFFFFFF] * (109 - fat_sectors)
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += b"\0" * 6 + struct.pack("<9I", 0, fat_sectors, fat_sectors, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header += struct.pack("<109I", *difat)

    def entry(entry_name, kind, child, start, size):
        raw = entry_name.encode("utf-16-le") + b"\0\0" if entry_name else b""
        fields = struct.pack("<HBBIII", len(raw), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
        return raw.ljust(64, b"\0") + fields + b"\0" * 36 + struct.pack("<IIi", start, size, 0)

    directory = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry(name, 2, 0xFFFFFFFF, first, len(stream))
    directory += entry("", 0, 0xFFFFFFFF, 0, 0) * 2
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + stream


def xls_workbook(sheets, merges=None, dimensions=None):
    return compound_file(biff8_stream(sheets, merges, dimensions))


def xlsb_record(kind, body=b""):
    """A BIFF12 record: its type and its size as 7-bit variable-length integers, then its body."""
    head = bytearray()
    for value in (kind, len(body)):
        while True:
            head.append((value & 0x7F) | (0x80 if value >> 7 else 0))
            value >>= 7
            if not value:
                break
    return bytes(head) + body


def wide_string(text):
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def xlsb_sheet(rows, dimension=None, merges=(), extra=b""):
    """A worksheet part: str cells as BrtCellSt (or BrtCellIsst for ("sst", index)), numbers as BrtCellReal;
    `rows` is [row, ...] or {row index: row}; dimension: (first row, last row, first column, last column)."""
    rows = rows if isinstance(rows, dict) else dict(enumerate(rows))
    cells = [(r, c) for r, row in rows.items() for c, v in enumerate(row) if v not in ("", None)]
    if dimension is None:
        dimension = (
            min((r for r, _c in cells), default=0),
            max((r for r, _c in cells), default=0),
            min((c for _r, c in cells), default=0),
            max((c for _r, c in cells), default=0),
        )
    body = [xlsb_record(0x81), xlsb_record(0x94, struct.pack("<IIII", *dimension)), xlsb_record(0x91)]
    for r, values in sorted(rows.items()):
        body.append(xlsb_record(0x00, struct.pack("<IIHBBBI", r, 0, 300, 0, 0, 0, 0)))
        for c, value in enumerate(values):
            if value in ("", None):
                continue
            if isinstance(value, tuple):
                body.append(xlsb_record(0x07, struct.pack("<III", c, 0, value[1])))
            elif isinstance(value, str):
                body.append(xlsb_record(0x06, struct.pack("<II", c, 0) + wide_string(value)))
            else:
                body.append(xlsb_record(0x05, struct.pack("<IId", c, 0, float(value))))
    body += [extra, xlsb_record(0x92)]
    if merges:
        body.append(xlsb_record(0xB1, struct.pack("<I", len(merges))))
        body += [xlsb_record(0xB0, struct.pack("<IIII", *m)) for m in merges] + [xlsb_record(0xB2)]
    return b"".join(body) + xlsb_record(0x82)


def xlsb_workbook(sheets, strings=None, parts=None, names=b""):
    """An .xlsb; sheets: {name: worksheet part (bytes, see xlsb_sheet) or rows}; strings: the shared strings;
    parts: {name: bytes} replacing or adding parts; names: records after the sheet list (defined names)."""
    bundles, relationships, files = b"", "", {}
    for number, (name, sheet) in enumerate(sheets.items(), start=1):
        bundles += xlsb_record(0x9C, struct.pack("<II", 0, number) + wide_string(f"rId{number}") + wide_string(name))
        relationships += (
            f'<Relationship Id="rId{number}" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet{number}.bin"/>'
        )
        files[f"xl/worksheets/sheet{number}.bin"] = sheet if isinstance(sheet, bytes) else xlsb_sheet(sheet)
    if strings is not None:
        relationships += f'<Relationship Id="rIdS" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.bin"/>'
        items = b"".join(xlsb_record(0x13, b"\0" + wide_string(text)) for text in strings)
        files["xl/sharedStrings.bin"] = (
            xlsb_record(0x9F, struct.pack("<II", len(strings), len(strings))) + items + xlsb_record(0xA0)
        )
    workbook = xlsb_record(0x83) + xlsb_record(0x8F) + bundles + xlsb_record(0x90)
    files["xl/workbook.bin"] = workbook + names + xlsb_record(0x9D, b"\0" * 26) + xlsb_record(0x84)
    files["xl/_rels/workbook.bin.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">{relationships}</Relationships>'
    ).encode()
    files["[Content_Types].xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/></Types>'
    )
    files["_rels/.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
        f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.bin"/></Relationships>'
    ).encode()
    files.update(parts or {})
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return output.getvalue()


def xlsb_styles(font=b"Arial"):
    """An xl/styles.bin: one font (its name's bytes as given), one number format 0.00, one cell format."""
    return b"".join(
        [
            xlsb_record(0x0116),  # BrtBeginStyleSheet
            xlsb_record(0x0267, struct.pack("<I", 1)),  # BrtBeginFmts
            xlsb_record(0x002C, struct.pack("<H", 164) + wide_string("0.00")),
            xlsb_record(0x0268),
            xlsb_record(0x0263, struct.pack("<I", 1)),  # BrtBeginFonts
            xlsb_record(0x002B, struct.pack("<HHHHBBBB", 220, 0, 400, 0, 0, 0, 0, 0) + b"\0" * 8 + font),
            xlsb_record(0x0264),
            xlsb_record(0x0269, struct.pack("<I", 1)),  # BrtBeginCellXFs
            xlsb_record(0x002F, struct.pack("<HHHHHHI", 0xFFFF, 0, 0, 0, 0, 0, 0)),
            xlsb_record(0x026A),
            xlsb_record(0x0117),
        ]
    )


# Hand-written XLSX parts, for files openpyxl would not write.
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)


def xlsx_parts(sheet_data, strings=("村代码", "状态"), dimension="A1:B2", sheet_prolog="", strings_prolog=""):
    """An XLSX written part by part: <sheetData> content, shared strings (0 and 1 are the header by default).
    A string given as (character, count) is written in 1 MB chunks, never held whole."""
    parts = {
        "[Content_Types].xml": [CONTENT_TYPES],
        "_rels/.rels": [
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ],
        "xl/workbook.xml": [
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
            '<sheets><sheet name="榆次区" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ],
        "xl/_rels/workbook.xml.rels": [
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ],
        "xl/worksheets/sheet1.xml": [
            f'<?xml version="1.0" encoding="UTF-8"?>{sheet_prolog}<worksheet xmlns="{MAIN}">'
            f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
        ],
        "xl/sharedStrings.xml": [
            f'<?xml version="1.0" encoding="UTF-8"?>{strings_prolog}<sst xmlns="{MAIN}" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">',
            *(piece for text in strings for piece in ("<si><t>", *text_chunks(text), "</t></si>")),
            "</sst>",
        ],
    }
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, pieces in parts.items():
            with archive.open(name, "w") as stream:
                for piece in pieces:
                    stream.write(piece.encode())
    return output.getvalue()


def text_chunks(text):
    if isinstance(text, str):
        yield text
        return
    character, count = text
    for start in range(0, count, 1 << 20):
        yield character * min(1 << 20, count - start)


HEADER_ROW = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'


def data_row(number, code, status="已规划"):
    return f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{code}</t></is></c><c r="B{number}" t="inlineStr"><is><t>{status}</t></is></c></row>'


BILLION_LAUGHS = (
    '<!DOCTYPE {root} [<!ENTITY a0 "hahahahaha">'
    + "".join(f'<!ENTITY a{i + 1} "{f"&a{i};" * 10}">' for i in range(9))
    + "]>"
)
EXTERNAL_ENTITY = '<!DOCTYPE {root} [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def corrupt_crc(content, part="xl/worksheets/sheet1.xml"):
    """The same zip with the CRC-32 of one part changed in both of its headers: the data inflate, the check fails."""
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(part)
    wrong = struct.pack("<I", info.CRC ^ 0xFFFFFFFF)
    data[info.header_offset + 14 : info.header_offset + 18] = wrong
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == part.encode():
            data[central + 16 : central + 20] = wrong
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def valid_xlsx(code):
    return xlsx_parts(HEADER_ROW + data_row(2, code))


STRING_ROW = '<row r="2"><c r="A2" t="s"><v>2</v></c></row>'

# Every hostile or malformed file of the issue: case -> function(village code) -> (file name, content).
HOSTILE = {
    "declared A1:XFD1048576": lambda code: (
        "dimension.xlsx",
        xlsx_parts(HEADER_ROW + data_row(2, code), dimension="A1:XFD1048576"),
    ),
    "a cell at XFD1048576": lambda code: (
        "far.xlsx",
        xlsx_parts(HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension="A1:XFD1048576"),
    ),
    "1.3 MB of empty rows": lambda code: (
        "rows.xlsx",
        xlsx_parts(HEADER_ROW + "".join(f'<row r="{n}"/>' for n in range(2, 560_000))),
    ),
    "300 MB shared string": lambda code: (
        "string.xlsx",
        xlsx_parts(HEADER_ROW + STRING_ROW, strings=("村代码", "状态", ("A", 300_000_000))),
    ),
    "truncated zip": lambda code: ("truncated.xlsx", valid_xlsx(code)[:1200]),
    "bad CRC": lambda code: ("crc.xlsx", corrupt_crc(valid_xlsx(code))),
    "external entity (XXE)": lambda code: (
        "xxe.xlsx",
        xlsx_parts(
            HEADER_ROW + STRING_ROW,
            strings=("村代码", "状态", "&secret;"),
            strings_prolog=EXTERNAL_ENTITY.format(root="sst"),
        ),
    ),
    "billion laughs": lambda code: (
        "laughs.xlsx",
        xlsx_parts(
            HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>&a9;</t></is></c></row>',
            sheet_prolog=BILLION_LAUGHS.format(root="worksheet"),
        ),
    ),
    "invalid XML": lambda code: ("invalid.xlsx", xlsx_parts(HEADER_ROW + '<row r="2"><c r="A2"><v>1</v></row>')),
    "not a zip": lambda code: ("fake.xlsx", b"PK\x03\x04 not really a zip"),
    "binary junk": lambda code: ("junk.xls", bytes(range(256)) * 64),
    "empty file": lambda code: ("empty.csv", b""),
    "CSV field over 131,072 characters": lambda code: (
        "huge.csv",
        f'村代码,备注\r\n{code},"{"长" * 140_000}"\r\n'.encode(),
    ),
    "unterminated quote": lambda code: ("quote.csv", f'村代码,状态\r\n{code},"已规划\r\n{code},建设中\r\n'.encode()),
    "NUL byte": lambda code: ("nul.csv", f"村代码,状态\r\n{code},已\x00规划\r\n".encode()),
    "XLS declaring 1048576 x 16384": lambda code: (
        "dimension.xls",
        xls_workbook({"榆次区": [["村代码", "状态"], [code, "已规划"]]}, dimensions={"榆次区": (1_048_576, 16_384)}),
    ),
    "XLS with a cell at IV65536": lambda code: (
        "far.xls",
        xls_workbook({"榆次区": [["村代码", "状态"], [code, "已规划"]] + [[]] * 65_533 + [[""] * 255 + [1]]}),
    ),
    "XLSB declared A1:XFD1048576": lambda code: (
        "dimension.xlsb",
        xlsb_workbook(
            {"榆次区": xlsb_sheet([["村代码", "状态"], [code, "已规划"]], dimension=(0, 1_048_575, 0, 16_383))}
        ),
    ),
    "XLSB declaring an impossible dimension": lambda code: (
        "impossible.xlsb",
        xlsb_workbook({"榆次区": xlsb_sheet([["村代码", "状态"], [code, "已规划"]], dimension=(1, 0, 0, 16_384))}),
    ),
    "XLSB with a cell at XFD1048576": lambda code: (
        "far.xlsb",
        xlsb_workbook({"榆次区": {0: ["村代码", "状态"], 1: [code, "已规划"], 1_048_575: [""] * 16_383 + [1]}}),
    ),
    # the record of the last cell (已规划, from byte 139) is cut
    "XLSB with a truncated record": lambda code: (
        "truncated.xlsb",
        xlsb_workbook({"榆次区": xlsb_sheet([["村代码", "状态"], [code, "已规划"]])[:150]}),
    ),
    "XLSB shared string over 32,767 characters": lambda code: (
        "string.xlsb",
        xlsb_workbook(
            {"榆次区": [["村代码", "状态"], [code, ("sst", 0)]]},
            strings=["".join(chr(0x4E00 + n % 20_000) for n in range(40_000))],
        ),
    ),
}


def workbook(kind, sheets, merges=None):
    """The same sheets as an .xlsx, .xlsb, .xls or .ods; merges: {name: [(first row, last row, first column, last
    column)]}, 0-based."""
    merges = merges or {}
    if kind == "xls":
        return xls_workbook(sheets, merges)
    if kind == "xlsb":
        return xlsb_workbook({name: xlsb_sheet(rows, merges=merges.get(name, ())) for name, rows in sheets.items()})
    if kind == "ods":
        spans = {
            name: {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, r1, c0, c1 in ranges} for name, ranges in merges.items()
        }
        return ods_workbook(sheets, spans)
    letters = [openpyxl.utils.get_column_letter(n + 1) for n in range(200)]
    cells = {
        name: [f"{letters[c0]}{r0 + 1}:{letters[c1]}{r1 + 1}" for r0, r1, c0, c1 in ranges]
        for name, ranges in merges.items()
    }
    return xlsx_workbook(sheets, cells)
