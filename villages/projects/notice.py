"""The 项目公示 of a village or a township: a printable Word document listing each of its projects of a programme year,
the funds by source, the 实施主体, the 绩效目标, the period of the notice and the supervision hotline
(settings.PROJECT_NOTICE_HOTLINE, 12317 by default); and a PDF of it where LibreOffice is installed.

Cancelled projects are not listed. Projects invented by the demo are marked 示意 in the title and in their row.
"""

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Sum
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from villages.documents import HEADING_FONT, TITLE_FONT, chinese_date, paragraph, table
from villages.projects.imports.columns import period_text
from villages.projects.models import Project, ProjectFund, Source

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TIMEOUT = 60  # seconds LibreOffice may take to convert one notice
HEADERS = ["序号", "项目名称", "项目类别", "建设地点", "建设内容及规模", "资金规模及来源（万元）", "实施主体", "绩效目标", "实施期限"]  # fmt: skip


class NoPdf(Exception):
    """LibreOffice is not installed here, or could not convert the document."""


@dataclass
class Notice:
    """What a notice is about: a village or a township, the programme year, and the period it is posted."""

    place: object  # a Village or a Township
    year: int
    start: date
    days: int = 10

    @property
    def end(self):
        return self.start + timedelta(days=self.days - 1)

    @property
    def is_village(self):
        return hasattr(self.place, "township_id")

    @property
    def place_name(self):
        if self.is_village:
            return f"{self.place.township.name}{self.place.short_name or self.place.name}"
        return self.place.name

    @property
    def issuer(self):
        if self.is_village:
            return f"{self.place.short_name}村民委员会" if self.place.short_name else self.place.name
        return f"{self.place.name}人民政府"

    def projects(self):
        projects = Project.objects.live().filter(year=self.year)
        projects = projects.filter(villages=self.place) if self.is_village else projects.filter(township=self.place)
        projects = projects.annotate(planned_total=Sum("funds__planned"))
        return list(
            projects.select_related("township")
            .prefetch_related("villages", "indicators")
            .order_by("category", "name", "id")
        )

    @property
    def filename(self):
        return f"{self.year}-{self.place.code}-项目公示"


def funds_text(funds):
    """合计 and each source (its Chinese name is its value) on a line of its own."""
    order = {source: index for index, source in enumerate(Source.values)}
    funds = sorted(funds, key=lambda fund: order.get(fund.source, len(order)))
    total = sum((fund.planned for fund in funds), 0)
    lines = [f"{fund.source}：{fund.planned:.2f}" for fund in funds]
    return "\n".join([f"合计：{total:.2f}", *lines]) if funds else "—"


def targets_text(project):
    lines = [project.performance_targets] if project.performance_targets else []
    for indicator in project.indicators.all():
        lines.append(f"{indicator.name}：{indicator.target_display}")
    return "\n".join(lines) or "—"


def place_text(project):
    return project.township.name + "、".join(village.short_name or village.name for village in project.villages.all())


def notice_docx(notice):
    projects = notice.projects()
    funds = {}
    for fund in ProjectFund.objects.filter(project__in=[p.pk for p in projects]).order_by("project", "source"):
        funds.setdefault(fund.project_id, []).append(fund)
    illustrative = any(project.is_illustrative for project in projects)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    title = f"{notice.place_name}{notice.year}年度百乡千村项目公示"
    paragraph(document, title + ("（示意：演示数据）" if illustrative else ""), font=TITLE_FONT, size=22,
              align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
    paragraph(
        document,
        f"按照村申报、乡审核、县审定的项目库管理要求，现将{notice.place_name}{notice.year}年度百乡千村项目"
        f"（共{len(projects)}个，计划总投资{sum(f.planned for fs in funds.values() for f in fs):.2f}万元）予以公示，"
        "接受社会监督。",
    )
    rows = []
    for number, project in enumerate(projects, start=1):
        name = project.name + ("（示意）" if project.is_illustrative else "")
        rows.append(
            [
                number,
                name,
                project.category,
                place_text(project),
                project.content or "—",
                funds_text(funds.get(project.pk, [])),
                project.implementer or project.responsible_unit or "—",
                targets_text(project),
                period_text(project.start_month, project.end_month) or "—",
            ]
        )
    widths = [1.0, 3.4, 1.8, 2.6, 4.6, 3.4, 2.6, 4.2, 2.4]  # cm, 26 in all: the landscape page less its margins
    table(document, HEADERS, rows, size=9, widths=[Cm(width) for width in widths])
    if not projects:
        paragraph(document, f"{notice.year}年度暂无项目。")
    paragraph(document, f"公示期：{chinese_date(notice.start)}至{chinese_date(notice.end)}（{notice.days}天）。")
    paragraph(
        document,
        f"公示期内，如对公示项目有异议，请向公示单位反映，或拨打监督举报电话：{settings.PROJECT_NOTICE_HOTLINE}。",
    )
    paragraph(document, notice.issuer, font=HEADING_FONT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(document, chinese_date(notice.start), align=WD_ALIGN_PARAGRAPH.RIGHT)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available():
    return soffice() is not None


def notice_pdf(notice):
    """The notice as PDF, converted by LibreOffice; NoPdf without it or when it fails."""
    program = soffice()
    if program is None:
        raise NoPdf("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "notice.docx"
        source.write_bytes(notice_docx(notice))
        command = [program, f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", "pdf",
                   "--outdir", folder, str(source)]  # fmt: skip
        try:
            subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT, check=True)
            return (Path(folder) / "notice.pdf").read_bytes()
        except (OSError, subprocess.SubprocessError) as error:
            raise NoPdf(str(error)) from None
