"""The 通报 as a Word document (python-docx) in the shape a government office issues one, and its annex as a
workbook: both written from the figures frozen in the bulletin alone, byte for byte the same each time."""

import io
import zipfile
from datetime import date

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from villages.cells import safe_row
from villages.documents import HEADING_FONT, TITLE_FONT, chinese_date, heading, paragraph, set_font, table
from villages.reporting.bulletins import TIERS, frozen_table
from villages.reporting.rates import Rate

RED = RGBColor(0xC0, 0x00, 0x00)
TIER_NAMES = {"showcase": "精品示范村", "upgraded": "提档升级村"}


def percent(value):
    return "—" if value is None else f"{value:.1f}%"


def names(items):
    return "、".join(items)


class Figures:
    """What the document says, read from a bulletin's frozen figures."""

    def __init__(self, bulletin):
        self.bulletin = bulletin
        self.data = bulletin.figures
        self.period = self.data["period"]
        self.place = self.data["place"]["name"]
        self.level = self.data["level"]
        self.table = frozen_table(self.data)
        self.issued = timezone.localtime(bulletin.issued_at)
        self.rules = self.data["rules"]
        marks = self.data["illustrative"]
        self.illustrative = marks["period"] or marks["quotas"] or marks.get("funds", False)

    @property
    def unit_word(self):
        return "县（市、区）" if self.level == "county" else "市"

    @property
    def scope_word(self):
        return "全市" if self.level == "county" else "全省"

    @property
    def title(self):
        return f"关于{self.period['name']}百乡千村工作进展情况的通报"

    @property
    def office(self):
        return settings.BULLETIN_OFFICE or f"{self.place}百乡千村工作领导小组办公室"

    def ranked_rows(self):
        return sorted(self.table.rows, key=lambda row: (row.rank is None, row.rank or 0, row.code))

    def praised(self):
        return [
            row.name
            for row in self.ranked_rows()
            if row.rate.expected and row.rate.on_time_rate >= self.rules["praise_at_least"]
        ]

    def criticised(self):
        return [
            row.name
            for row in self.ranked_rows()
            if row.rate.expected and row.rate.on_time_rate < self.rules["criticise_below"]
        ]


def rate_rows(figures):
    return [
        [
            row.rank or "—",
            row.name,
            row.rate.expected,
            row.rate.received,
            row.rate.on_time,
            row.rate.missing,
            percent(row.rate.reporting_rate),
            percent(row.rate.on_time_rate),
            row.previous_late,
        ]
        for row in figures.ranked_rows()
    ]


def rate_headers(figures):
    return [
        "排名",
        figures.unit_word,
        "应报村数",
        "已报",
        "按时报送",
        "未报",
        "报送率",
        "按时报送率",
        f"上期补报（{figures.period['previous']}）" if figures.period["previous"] else "上期补报",
    ]


def construction_rows(figures):
    rows = []
    for position, row in enumerate(figures.data["construction"]["rows"], 1):
        cells = [
            position if row["share"] is not None else "—",
            row["name"] + ("（任务示意）" if row["illustrative_quota"] else ""),
        ]
        for tier in TIERS:
            part = row[tier]
            cells += ["未下达" if part["target"] is None else part["target"], part["completed"], part["accepted"]]
        cells.append(percent(row["share"]))
        rows.append(cells)
    return rows


def construction_headers(figures):
    headers = ["排名", figures.unit_word]
    for tier in TIERS:
        headers += [f"{TIER_NAMES[tier]}任务", "已完工待验收", "已验收"]
    return headers + ["完成率"]


def opening(figures):
    total = figures.table.total
    text = (
        f"{figures.period['name']}，{figures.scope_word}应报送月报村{total.expected}个，已报送{total.received}个，"
        f"报送率{percent(total.reporting_rate)}；截至报送截止日（{chinese_date(date.fromisoformat(figures.period['deadline']))}）"
        f"按时报送{total.on_time}个，按时报送率{percent(total.on_time_rate)}，未报送{total.missing}个。"
    )
    parts = []
    for tier in TIERS:
        part = figures.data["construction"]["total"][tier]
        target = f"年度任务{part['target']}个，" if part["target"] is not None else ""
        parts.append(f"{TIER_NAMES[tier]}{target}已完工待验收{part['completed']}个、已验收{part['accepted']}个")
    text += f"截至{chinese_date(figures.issued.date())}，{'；'.join(parts)}。现将有关情况通报如下。"
    return text


def reporting_text(figures):
    rows = [row for row in figures.ranked_rows() if row.rate.expected]
    complete = [row.name for row in rows if row.rate.on_time == row.rate.expected]
    lagging = [
        f"{row.name}（{percent(row.rate.on_time_rate)}）" for row in rows if row.rate.on_time < row.rate.expected
    ]
    text = f"以按时报送率排名，{names(row.name for row in rows[:3])}位列前三。" if rows else "本期无应报送的村。"
    if complete:
        text += f"{names(complete)}全部按时报送。"
    if lagging:
        text += f"{names(lagging)}未全部按时报送。"
    late = sum(row.previous_late for row in figures.table.rows)
    if late and figures.period["previous"]:
        text += f"{figures.period['previous']}逾期补报{late}个村，计为迟报。"
    return text + "各单位排名及明细见附件1。"


def construction_text(figures):
    ranked = [row for row in figures.data["construction"]["rows"] if row["share"] is not None]
    if not ranked:
        return "各单位年度任务尚未全部下达，暂不排名，明细见附件。"
    return (
        f"以完工和验收村数占年度任务的比例排名，{names(row['name'] for row in ranked[:3])}位列前三；"
        f"{names(row['name'] for row in ranked[-3:][::-1])}排名靠后。明细见附件。"
    )


def funds_text(funds):
    return funds.get("text", "")


def praise_text(figures):
    praised, criticised = figures.praised(), figures.criticised()
    lines = []
    if praised:
        lines.append(f"对按时报送率达到{figures.rules['praise_at_least']:g}%的{names(praised)}予以表扬。")
    if criticised:
        lines.append(
            f"对按时报送率低于{figures.rules['criticise_below']:g}%的{names(criticised)}予以通报批评，"
            "请相关单位认真分析原因，立即补报，并于下期报送前书面说明整改情况。"
        )
    return lines or ["本期各单位按时报送率均在表扬和通报批评标准之间，不予表扬和通报批评。"]


CHINESE_NUMBERS = "一二三四五六七八九十"


def add_mark(document, figures):
    if figures.illustrative:
        paragraph(
            document,
            "【示意数据】本通报所用数据为演示用示意数据，并非真实统计，不得对外引用。",
            size=12,
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            color=RED,
        )


def bulletin_docx(bulletin):
    figures = Figures(bulletin)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    if figures.illustrative:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(header.add_run("示意数据 · 非真实统计"), HEADING_FONT, 10.5, color=RED)

    paragraph(document, figures.office, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    number = bulletin.number or "〔        〕    号"
    paragraph(document, f"文号：{number}", size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_mark(document, figures)
    paragraph(document)
    paragraph(document, figures.title, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(document)
    paragraph(document, f"各{figures.unit_word}百乡千村工作专班：", indent=False)
    paragraph(document, opening(figures))

    sections = [
        ("月报报送情况", [reporting_text(figures)]),
        ("建设进展情况", [construction_text(figures)]),
    ]
    if figures.data.get("funds"):
        sections.append(("资金支出情况", [funds_text(figures.data["funds"])]))
    sections.append(("表扬和通报批评", praise_text(figures)))
    sections.append(
        (
            "下一步工作要求",
            [
                f"各{figures.unit_word}要严格落实月报制度，于每月{date.fromisoformat(figures.period['deadline']).day}日前"
                "完成上月进展报送，做到应报尽报、按时报送、数据真实；对本期未报村要即报即补。"
            ],
        )
    )
    for number_index, (title, lines) in enumerate(sections):
        heading(document, f"{CHINESE_NUMBERS[number_index]}、{title}")
        for line in lines:
            paragraph(document, line)

    paragraph(document)
    annexes = [
        f"1．{figures.period['name']}各{figures.unit_word}月报报送情况表",
        f"2．各{figures.unit_word}建设进展情况表",
    ]
    if figures.data["missing"]:
        annexes.append(f"3．{figures.period['name']}未报村名单")
    for index, line in enumerate(annexes):
        paragraph(document, ("附件：" if index == 0 else "　　　") + line, indent=index == 0)
    paragraph(document)
    paragraph(document, figures.office, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(document, chinese_date(figures.issued.date()), align=WD_ALIGN_PARAGRAPH.RIGHT)

    landscape = document.add_section()
    landscape.orientation = WD_ORIENT.LANDSCAPE
    landscape.page_width, landscape.page_height = Cm(29.7), Cm(21)
    for margin in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(landscape, margin, Cm(2))
    annex_title(document, "附件1", f"{figures.period['name']}各{figures.unit_word}月报报送情况表", figures)
    table(document, rate_headers(figures), rate_rows(figures) + [total_row(figures.table.total)])
    paragraph(
        document,
        f"说明：报送截止日为{chinese_date(date.fromisoformat(figures.period['deadline']))}；按时报送率=截止日前收到的报送÷应报村数；"
        f"数据截至{figures.issued.strftime('%Y-%m-%d %H:%M')}通报印发时冻结。",
        size=10.5,
        indent=False,
    )
    page_break(document)
    annex_title(document, "附件2", f"各{figures.unit_word}建设进展情况表（{figures.period['year']}年）", figures)
    table(document, construction_headers(figures), construction_rows(figures))
    if figures.data["illustrative"]["quotas"]:
        paragraph(document, "注：标注“任务示意”的县级任务为演示用示意数据。", size=10.5, indent=False, color=RED)
    if figures.data["missing"]:
        page_break(document)
        annex_title(document, "附件3", f"{figures.period['name']}未报村名单", figures)
        table(
            document,
            ["序号", figures.unit_word, "乡镇", "村", "责任人", "逾期天数"],
            [
                [index, item["county"], item["township"], item["name"], item["owners"] or "—", item["days_overdue"]]
                for index, item in enumerate(figures.data["missing"], 1)
            ],
        )

    core = document.core_properties
    core.title, core.author, core.last_modified_by = figures.title, figures.office, figures.office
    core.created = core.modified = core.last_printed = figures.issued.replace(tzinfo=None)
    core.revision = 1
    output = io.BytesIO()
    document.save(output)
    return fixed_zip(output.getvalue(), figures.issued)


def total_row(total: Rate):
    return [
        "",
        "合计",
        total.expected,
        total.received,
        total.on_time,
        total.missing,
        percent(total.reporting_rate),
        percent(total.on_time_rate),
        "",
    ]


def annex_title(document, label, title, figures):
    paragraph(document, label, font=HEADING_FONT, size=16, indent=False)
    paragraph(document, title, font=TITLE_FONT, size=18, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_mark(document, figures)


def page_break(document):
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def fixed_zip(content, moment):
    """The same archive with every member dated `moment`: the same bulletin gives the same bytes."""
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            target.writestr(info, source.read(item.filename))
    return output.getvalue()


def bulletin_xlsx(bulletin):
    figures = Figures(bulletin)
    workbook = Workbook()
    bold = Font(bold=True)
    issued = figures.issued.strftime("%Y-%m-%d %H:%M")

    def sheet_of(sheet, title, headers, rows):
        sheet.title = title
        sheet.append([f"{figures.title}（{title}）"])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([f"数据截至{issued}通报印发时冻结" + ("；示意数据，非真实统计" if figures.illustrative else "")])
        sheet.append(headers)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True)
        for row in rows:
            sheet.append(safe_row(row))

    sheet_of(
        workbook.active, "月报报送情况", rate_headers(figures), rate_rows(figures) + [total_row(figures.table.total)]
    )
    sheet_of(workbook.create_sheet(), "建设进展", construction_headers(figures), construction_rows(figures))
    if figures.data["missing"]:
        sheet_of(
            workbook.create_sheet(),
            "未报村名单",
            ["序号", "村代码", figures.unit_word, "乡镇", "村", "责任人", "逾期天数"],
            [
                [
                    index,
                    item["code"],
                    item["county"],
                    item["township"],
                    item["name"],
                    item["owners"],
                    item["days_overdue"],
                ]
                for index, item in enumerate(figures.data["missing"], 1)
            ],
        )
    workbook.properties.created = workbook.properties.modified = figures.issued.replace(tzinfo=None)
    workbook.properties.creator = figures.office
    output = io.BytesIO()
    workbook.save(output)
    return fixed_zip(output.getvalue(), figures.issued)


def file_name(bulletin, suffix):
    place = bulletin.city_id or "province"
    return f"bulletin-{bulletin.period.key}-{place}.{suffix}"
