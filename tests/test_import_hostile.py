"""Hostile and malformed files are refused with a clear file-level message and change nothing, in the admin
and in `manage.py import_villages` alike; the limits are settings. (Time and memory: bench/hostile.py.)"""

import contextlib
import io
import multiprocessing
import random
import signal
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.conftest import YUCI
from tests.import_helpers import csv_file, messages, run_import, xlsx_file
from tests.spreadsheet_files import (
    HEADER_ROW,
    HOSTILE,
    compound_file,
    corrupt_crc,
    data_row,
    xls_workbook,
    xlsb_record,
    xlsb_sheet,
    xlsb_styles,
    xlsb_workbook,
    xlsx_parts,
)
from villages.imports import sandbox
from villages.imports.reading import FileProblem, read_sheets
from villages.models import Status, Village

IMPORT_URL = "/admin/villages/village/import/"

# What each case is told, written by hand (the file name is the case's own).
REFUSALS = {
    "a cell at XFD1048576": "far.xlsx cannot be imported: sheet 榆次区 spans 16384 columns; an import reads at most 200.",
    "1.3 MB of empty rows": "rows.xlsx cannot be imported: it has more than 100000 rows.",
    "300 MB shared string": "string.xlsx cannot be imported: it unzips to 286 MB; an import reads at most 200 MB.",
    "truncated zip": "truncated.xlsx cannot be imported: it is not a readable Excel (.xlsx) or ODS workbook: its zip container is damaged or incomplete.",
    "bad CRC": "crc.xlsx cannot be imported: xl/worksheets/sheet1.xml is damaged (its data or checksum is wrong).",
    "external entity (XXE)": "xxe.xlsx cannot be imported: xl/sharedStrings.xml declares a DTD or entities, which no spreadsheet does.",
    "billion laughs": "laughs.xlsx cannot be imported: xl/worksheets/sheet1.xml declares a DTD or entities, which no spreadsheet does.",
    "invalid XML": "invalid.xlsx cannot be imported: xl/worksheets/sheet1.xml is not valid XML (line 1: mismatched tag).",
    "not a zip": "fake.xlsx cannot be imported: it is not a readable Excel (.xlsx) or ODS workbook: its zip container is damaged or incomplete.",
    "binary junk": "junk.xls cannot be imported: it is not a readable workbook (neither a zip container nor an Excel 97-2003 file).",
    "empty file": "empty.csv is empty.",
    "CSV field over 131,072 characters": "huge.csv cannot be imported: line 2 holds a cell longer than 131072 characters.",
    "unterminated quote": "quote.csv cannot be imported: a quoted cell starting on line 2 is never closed.",
    "NUL byte": "nul.csv cannot be imported: row 2, column 2 holds a NUL character: the file is damaged.",
    # calamine reads an XLS or XLSB in a child process held to IMPORT_READER_MAX_MEMORY: what it reserves for a
    # sheet's range (32 bytes a cell) is over the limit
    "XLS declaring 1048576 x 16384": "dimension.xls cannot be imported: it is too large to read within the import limits of 256 MB and 20 s.",
    "XLS with a cell at IV65536": "far.xls cannot be imported: it is too large to read within the import limits of 256 MB and 20 s.",
    "XLSB with a cell at XFD1048576": "far.xlsb cannot be imported: it is too large to read within the import limits of 256 MB and 20 s.",
    "XLSB with a truncated record": "truncated.xlsb cannot be imported: it is not a readable workbook (calamine could not read it).",
    "XLSB shared string over 32,767 characters": "string.xlsb cannot be imported: 榆次区 sheet, row 2, column 2 holds a text longer than 32767 characters, more than a spreadsheet cell can hold.",
}


@pytest.fixture
def village(registry):
    return Village.objects.filter(county_id=YUCI).order_by("code").first()


@pytest.fixture
def admin_client(city_admin, client_for, settings, tmp_path):
    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"
    client = client_for(city_admin)
    client.cookies["django_language"] = "en"
    return client


def test_every_refused_case_is_a_case_of_the_bench():
    assert set(REFUSALS) | set(DECLARED) == set(HOSTILE)


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_hostile_file_is_refused_in_the_admin_with_a_file_level_message_and_nothing_kept(
    admin_client, village, settings, case
):
    name, content = HOSTILE[case](village.code)
    before = Village.history.count()
    response = admin_client.post(
        IMPORT_URL, {"crs": "wgs84", "encoding": "", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    if case == "empty file":  # Django's own upload field refuses it first
        assert response.context["form"].errors["file"] == ["The submitted file is empty."]
    else:
        result = response.context["result"]
        assert [(p.line, p.column, p.message) for p in result.problems] == [(None, None, REFUSALS[case])]
        assert REFUSALS[case] in response.content.decode()
    assert "confirm_form" not in response.context
    assert Village.history.count() == before and Village.objects.filter(status=Status.PLANNED).count() == 0
    assert not settings.IMPORT_PREVIEW_DIR.exists() or not any(settings.IMPORT_PREVIEW_DIR.iterdir())


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_hostile_file_is_refused_by_the_command_with_exit_status_1(city_admin, village, tmp_path, case):
    name, content = HOSTILE[case](village.code)
    path = tmp_path / name
    path.write_bytes(content)
    before = Village.history.count()
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("import_villages", str(path), "--user", city_admin.username)
    assert error.value.returncode == 1
    assert REFUSALS[case] in str(error.value)
    assert Village.history.count() == before


# calamine does not believe a declared dimension (an XLSB's impossible one included): the two cells are read
DECLARED = ["declared A1:XFD1048576", "XLSB declared A1:XFD1048576", "XLSB declaring an impossible dimension"]


@pytest.mark.parametrize("case", DECLARED)
def test_a_declared_dimension_is_not_believed_the_two_cells_are_read(admin_client, village, case):
    name, content = HOSTILE[case](village.code)
    before = Village.history.count()
    response = admin_client.post(
        IMPORT_URL, {"crs": "wgs84", "encoding": "", "file": SimpleUploadedFile(name, content)}
    )
    result = response.context["result"]
    assert result.ok and [(row.sheet, row.line, row.village["code"]) for row in result.rows] == [
        ("榆次区", 2, village.code)
    ]
    assert Village.history.count() == before  # a preview writes nothing


def test_a_nul_byte_is_refused_on_every_database_before_anything_is_written(city_admin, village):
    result = run_import(f"村代码,备注\r\n{village.code},a\x00b\r\n".encode(), city_admin)
    assert messages(result) == [
        "list.csv cannot be imported: row 2, column 2 holds a NUL character: the file is damaged."
    ]
    village.refresh_from_db()
    assert village.notes == ""


def test_file_over_the_size_limit_is_refused_by_the_command_before_it_is_read(city_admin, settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 1000
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("import_villages", str(path), "--user", city_admin.username)
    assert "big.csv is 0.0 MB; an import file may be at most 0 MB." in str(error.value)


def test_row_column_and_cell_limits_are_settings(city_admin, village, settings):
    rows = [["村代码", "状态"]] + [[village.code, "已规划"]] * 5
    settings.IMPORT_MAX_ROWS = 4
    assert messages(run_import(csv_file(rows), city_admin)) == ["list.csv cannot be imported: it has more than 4 rows."]
    assert messages(run_import(xlsx_file(rows), city_admin, filename="list.xlsx")) == [
        "list.xlsx cannot be imported: it has more than 4 rows."
    ]
    settings.IMPORT_MAX_ROWS = 100
    settings.IMPORT_MAX_COLUMNS = 3
    wide = [["村代码", "状态", "", "", "备注"], [village.code, "已规划", "", "", "x"]]
    assert messages(run_import(csv_file(wide), city_admin)) == [
        "list.csv cannot be imported: line 1 has 5 columns; an import reads at most 3."
    ]
    assert messages(run_import(xls_workbook({"名单": wide}), city_admin, filename="list.xls")) == [
        "list.xls cannot be imported: sheet 名单 spans 5 columns; an import reads at most 3."
    ]
    assert messages(run_import(xlsb_workbook({"名单": wide}), city_admin, filename="list.xlsb")) == [
        "list.xlsb cannot be imported: sheet 名单 spans 5 columns; an import reads at most 3."
    ]
    settings.IMPORT_MAX_ROWS = 4
    assert messages(run_import(xlsb_workbook({"名单": rows}), city_admin, filename="list.xlsb")) == [
        "list.xlsb cannot be imported: it has more than 4 rows."
    ]
    settings.IMPORT_MAX_ROWS = 100
    settings.IMPORT_MAX_COLUMNS = 200
    settings.IMPORT_MAX_CELLS = 10  # 2 columns x 6 rows = 12
    assert messages(run_import(xlsx_file(rows), city_admin, filename="list.xlsx")) == [
        "list.xlsx cannot be imported: its sheets span more than 10 cells (rows × columns of the area holding values)."
    ]
    assert messages(run_import(xlsb_workbook({"名单": rows}), city_admin, filename="list.xlsb")) == [
        "list.xlsb cannot be imported: its sheets span more than 10 cells (rows × columns of the area holding values)."
    ]


def test_zip_limits_are_settings(city_admin, village, settings):
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{village.code}</t></is></c></row>' for n in range(2, 3000)
    )
    content = xlsx_parts('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' + rows)
    settings.IMPORT_MAX_UNZIPPED_BYTES = 100_000
    assert (
        "it unzips to 0 MB; an import reads at most 0 MB."
        in messages(run_import(content, city_admin, filename="a.xlsx"))[0]
    )
    settings.IMPORT_MAX_UNZIPPED_BYTES = 10**9
    settings.IMPORT_MAX_ZIP_RATIO = 2
    big = xlsx_parts("".join(f'<row r="{n}"/>' for n in range(1, 90_000)))
    assert "xl/worksheets/sheet1.xml unzips to" in messages(run_import(big, city_admin, filename="b.xlsx"))[0]
    strings = xlsb_workbook({"名单": [["村代码", ("sst", 0)]]}, strings=["状态"] + ["长" * 1000] * 1000)
    assert "xl/sharedStrings.bin unzips to" in messages(run_import(strings, city_admin, filename="c.xlsb"))[0]


def test_long_cells_are_row_problems_at_the_field_length(city_admin, village, settings):
    rows = [
        ["村代码", "联系人", "备注"],
        [village.code, "张" * 51, "好"],
        [village.code, "张三", "长" * 2001],
    ]
    assert messages(run_import(csv_file(rows), city_admin)) == [
        "Row 2, column 联系人: " + "张" * 30 + "… is longer than 50 characters",
        "Row 3, column 备注: " + "长" * 30 + "… is longer than 2000 characters",
    ]
    assert run_import(csv_file([rows[0], [village.code, "张三", "长" * 2000]]), city_admin).ok


def test_a_cell_longer_than_a_spreadsheet_can_hold_is_refused_for_the_file(city_admin, village):
    content = xlsx_parts(HEADER_ROW + data_row(2, village.code, "x" * 32_768))  # openpyxl would cut it to 32,767
    assert messages(run_import(content, city_admin, filename="a.xlsx")) == [
        "a.xlsx cannot be imported: xl/worksheets/sheet1.xml holds a text longer than 32767 characters, "
        "more than a spreadsheet cell can hold."
    ]


def test_a_web_page_named_xls_is_explained(city_admin):
    assert messages(run_import(b"<html><table><tr><td>1</td></tr></table></html>", city_admin, filename="a.xls")) == [
        "a.xls cannot be imported: it is a web page (HTML) named like a spreadsheet; open it and save it as .xlsx."
    ]


def test_a_password_protected_workbook_is_explained(city_admin):
    encrypted = compound_file(b"\0" * 5000, name="EncryptedPackage")  # how Excel stores an encrypted .xlsx
    assert messages(run_import(encrypted, city_admin, filename="a.xlsx")) == [
        "a.xlsx is protected by a password; save it without one and import it again."
    ]


def repacked(content, renames=(), replace=None):
    """The zip with parts renamed ({old: new}) and texts replaced in every part ({old: new})."""
    source, output = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            for old, new in (replace or {}).items():
                data = data.replace(old.encode(), new.encode())
            archive.writestr(dict(renames).get(info.filename, info.filename), data)
    return output.getvalue()


def test_a_sheet_hidden_under_another_part_name_is_still_checked(city_admin):
    far = xlsx_parts(HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    content = repacked(
        far,
        renames={"xl/worksheets/sheet1.xml": "xl/worksheets/sheet1.dat"},
        replace={"worksheets/sheet1.xml": "worksheets/sheet1.dat"},
    )
    assert messages(run_import(content, city_admin, filename="a.xlsx")) == [
        "a.xlsx cannot be imported: sheet 榆次区 spans 16384 columns; an import reads at most 200."
    ]


def test_two_sheets_reading_the_same_part_are_refused(city_admin, village):
    twice = '<sheet name="榆次区" sheetId="1" r:id="rId1"/><sheet name="副本" sheetId="2" r:id="rId1"/>'
    content = repacked(
        xlsx_parts(HEADER_ROW + data_row(2, village.code)),
        replace={'<sheet name="榆次区" sheetId="1" r:id="rId1"/>': twice},
    )
    assert messages(run_import(content, city_admin, filename="a.xlsx")) == [
        "a.xlsx cannot be imported: two of its sheets are the same part xl/worksheets/sheet1.xml."
    ]


def test_more_merged_ranges_than_a_real_sheet_has_are_refused(city_admin):
    merges = "".join(f'<mergeCell ref="A{n}:B{n}"/>' for n in range(3, 100_004))
    content = repacked(
        xlsx_parts(HEADER_ROW + data_row(2, "140702100200")),
        replace={"</sheetData>": f'</sheetData><mergeCells count="100001">{merges}</mergeCells>'},
    )
    assert messages(run_import(content, city_admin, filename="a.xlsx")) == [
        "a.xlsx cannot be imported: it has more than 100000 merged ranges."
    ]


XLSB_ROWS = [["村代码", "状态"], ["140702100200", "已规划"]]


UNREADABLE = "a.xlsb cannot be imported: it is not a readable workbook (calamine could not read it)."
# a record (BrtCellBlank) declaring 134,217,727 bytes: calamine reserves them (within the reader's 256 MB) and
# then finds the file ends; a size nearer the limit would make the outcome depend on what the child took before
HUGE = b"\x01\xff\xff\xff\x3f"


@pytest.mark.parametrize(
    "content,message",
    [
        (lambda: xlsb_workbook({"名单": xlsb_sheet(XLSB_ROWS, extra=HUGE)}), UNREADABLE),
        (lambda: xlsb_workbook({"名单": xlsb_sheet(XLSB_ROWS, extra=xlsb_record(0x07, bytes(8)))}), UNREADABLE),
        # calamine looks for BrtBeginFmts (e7 04) type by type, inside a font's name too, and BrtName (27) after
        # the sheet list, and reserves the size after it
        (
            lambda: xlsb_workbook(
                {"名单": XLSB_ROWS}, parts={"xl/styles.bin": xlsb_styles(font=b"\xe7\x04" + HUGE[1:])}
            ),
            UNREADABLE,
        ),
        (lambda: xlsb_workbook({"名单": XLSB_ROWS}, names=xlsb_record(0x0163, b"\x27" + HUGE[1:])), UNREADABLE),
        (
            lambda: xlsb_workbook({"名单": xlsb_sheet({0: XLSB_ROWS[0], 1_048_576: ["x"]}, dimension=(0, 1, 0, 1))}),
            "a.xlsb cannot be imported: it has more than 100000 rows.",
        ),
        (
            lambda: xlsb_workbook({"名单": {0: XLSB_ROWS[0], 1_048_575: [""] * 16_383 + [1]}}),
            "a.xlsb cannot be imported: it is too large to read within the import limits of 256 MB and 20 s.",
        ),
    ],
    ids=["huge record", "short record", "huge style list", "huge name", "row past the last", "cell at XFD1048576"],
)
def test_a_damaged_or_huge_xlsb_is_refused_by_calamine_in_its_child_process_and_nothing_is_written(
    city_admin, village, content, message
):
    before = Village.history.count()
    assert messages(run_import(content(), city_admin, filename="a.xlsb")) == [message]
    assert Village.history.count() == before


def test_an_xlsb_sheet_is_found_whatever_the_case_of_its_part_name(city_admin, village):
    rows = {0: XLSB_ROWS[0], 1: [village.code, "已规划"]}
    renamed = {"XL/Worksheets/Sheet1.BIN": xlsb_sheet(rows)}
    content = repacked(xlsb_workbook({"名单": rows}), renames={"xl/worksheets/sheet1.bin": "XL/Worksheets/Sheet1.BIN"})
    assert run_import(content, city_admin, filename="a.xlsb").ok  # calamine reads it there
    twice = xlsb_workbook({"名单": rows}, parts=renamed)
    assert messages(run_import(twice, city_admin, filename="a.xlsb")) == [
        "a.xlsb cannot be imported: its zip container holds two parts of the same name."
    ]


def test_a_workbook_over_the_readers_memory_limit_is_refused_and_nothing_is_written(city_admin, village, settings):
    # a cell at ET20000: calamine reserves 20,000 x 150 cells of 32 bytes (96 MB) in one fresh allocation
    content = xlsx_parts(HEADER_ROW + data_row(2, village.code) + '<row r="20000"><c r="ET20000"><v>1</v></c></row>')
    settings.IMPORT_MAX_CELLS = 10**7
    settings.IMPORT_READER_MAX_MEMORY = 2**20
    before = Village.history.count()
    assert messages(run_import(content, city_admin, filename="a.xlsx")) == [
        "a.xlsx cannot be imported: it is too large to read within the import limits of 1 MB and 20 s."
    ]
    assert Village.history.count() == before
    settings.IMPORT_READER_MAX_MEMORY, settings.IMPORT_READER_MAX_SECONDS = 256 * 2**20, 120
    assert [line for line, _cells in read_sheets(content, "a.xlsx")[0].rows] == [1, 2, 20000]  # within the limit


def test_a_workbook_read_for_longer_than_the_readers_time_limit_is_refused(city_admin, village, settings):
    rows = [["村代码", "状态", "备注"]] + [[village.code, "已规划", f"第{n}行"] for n in range(20_000)]
    settings.IMPORT_READER_MAX_SECONDS = 0.01  # calamine alone takes longer than that on 20,000 rows
    before = Village.history.count()
    assert messages(run_import(xlsx_file(rows), city_admin, filename="a.xlsx")) == [
        "a.xlsx cannot be imported: it is too large to read within the import limits of 256 MB and 0.01 s."
    ]
    assert Village.history.count() == before


def test_a_refusal_of_the_xml_checks_ends_the_readers_child_process(village):
    # calamine reads the workbook in its child while the parent checks the XML parts; a DTD is refused by the
    # parent's check, whatever the child makes of it, and the child does not outlive the refusal
    name, laughs = HOSTILE["billion laughs"](village.code)
    with translation.override("en"), pytest.raises(FileProblem, match="declares a DTD or entities"):
        read_sheets(laughs, name)
    assert multiprocessing.active_children() == []


def big_text():
    return "字" * 2**20  # more than a pipe holds: the child waits until the parent takes it


def test_what_the_child_read_within_its_time_is_kept_while_the_parent_is_still_busy(settings):
    settings.IMPORT_READER_MAX_SECONDS = 0.2
    with sandbox.Child(big_text, filename="a.xlsx") as child:
        time.sleep(0.6)  # the parent's own checks, longer than the child's limit
        assert child.result() == "字" * 2**20


def test_a_child_still_reading_at_its_time_limit_ends_itself_while_the_parent_is_busy(settings):
    settings.IMPORT_READER_MAX_SECONDS = 0.2
    with sandbox.Child(time.sleep, 30, filename="a.xlsx") as child:
        child.process.join(10)  # the parent does not read meanwhile
        assert child.process.exitcode == -signal.SIGALRM  # ended at 0.2 s, before the parent asked
        message = "too large to read within the import limits of 256 MB and 0.2 s"
        with translation.override("en"), pytest.raises(FileProblem, match=message):
            child.result()


@pytest.mark.parametrize(
    "name,build,part",
    [
        ("a.xlsb", lambda: xlsb_workbook({"名单": XLSB_ROWS}), "xl/workbook.bin"),
        ("a.xlsb", lambda: xlsb_workbook({"名单": XLSB_ROWS}), "xl/_rels/workbook.bin.rels"),
        ("a.xlsx", lambda: xlsx_parts(HEADER_ROW), "xl/workbook.xml"),
    ],
)
def test_a_bad_checksum_in_the_part_listing_the_sheets_is_a_file_problem(city_admin, name, build, part):
    assert messages(run_import(corrupt_crc(build(), part), city_admin, filename=name)) == [
        f"{name} cannot be imported: {part} is damaged (its data or checksum is wrong)."
    ]


def test_an_xlsb_sheet_ending_between_two_records_before_its_end_is_a_file_problem(city_admin):
    sheet = xlsb_sheet(XLSB_ROWS)[:159]  # its cells, without BrtEndSheetData and BrtEndSheet
    assert messages(run_import(xlsb_workbook({"名单": sheet}), city_admin, filename="a.xlsb")) == [
        "a.xlsb cannot be imported: it is not a readable workbook (calamine could not read it)."
    ]


def test_damaged_xlsb_parts_are_read_or_refused_never_a_traceback():
    rows = [["村代码", "状态"], ["140702100200", ("sst", 0)], [1.5, "x"]]
    sheet = xlsb_sheet(rows, merges=[(0, 0, 0, 1)])
    parts = {"xl/styles.bin": xlsb_styles(), "xl/worksheets/sheet1.bin": sheet}
    base = zipfile.ZipFile(io.BytesIO(xlsb_workbook({"名单": sheet}, strings=["已规划"], parts=parts)))
    originals = {name: base.read(name) for name in base.namelist()}
    chance = random.Random(12)
    for _attempt in range(300):
        name = chance.choice(sorted(n for n in originals if n.endswith(".bin")))
        data = bytearray(originals[name])
        for _change in range(chance.randint(1, 4)):
            at = chance.randrange(len(data) + 1)
            if chance.random() < 0.5 and at < len(data):
                data[at] = chance.randrange(256)
            elif chance.random() < 0.5:
                del data[at:]
            else:
                data[at:at] = chance.randbytes(chance.randint(1, 6))
        content = xlsb_workbook({"名单": sheet}, strings=["已规划"], parts={**parts, name: bytes(data)})
        with contextlib.suppress(FileProblem):
            read_sheets(content, "a.xlsb")
