"""The printable acceptance record (验收表) of one round, as a Word document (python-docx)."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt
from PIL import Image

from villages.acceptance.scoring import format_points

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
THUMBNAIL_PIXELS = 480
THUMBNAIL_WIDTH = Cm(5.5)


def when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def person(user):
    return (user.get_full_name() or user.username) if user else "—"


def result_text(round_):
    review = round_.review
    if review is None or not review.decision:
        return _("awaiting review (待复核)")
    return review.get_decision_display()


def record_docx(round_):
    application, standard, review = round_.application, round_.standard, round_.review
    village = application.village
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(1.5))
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(_("百乡千村 acceptance record (验收表)"), level=1)

    facts = [
        (_("Village"), f"{village.name} ({village.code})"),
        (_("County"), village.county.name),
        (_("Township"), village.township.name),
        (_("Tier"), village.get_tier_display()),
        (_("Programme year"), str(village.programme_year or "—")),
        (_("Standard"), _("%(name)s, version %(version)d") % {"name": standard.name, "version": standard.version}),
        (_("Round"), str(application.number)),
        (_("Submitted"), f"{when(application.submitted_at)} · {person(application.submitted_by)}"),
    ]
    key_value_table(document, facts)

    document.add_heading(_("Items"), level=2)
    headers = [
        _("Category"),
        _("No."),
        _("Point assessed"),
        _("Points"),
        _("Self-score"),
        _("County's note"),
        _("City's score"),
        _("City's comment"),
    ]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = text
    for line in round_.lines:
        point = (
            _("%(point)s (decisive, 一票否决)") % {"point": line.item.point} if line.item.decisive else line.item.point
        )
        values = [
            line.item.category,
            line.item.number,
            point,
            format_points(line.item.points),
            str(line.self_answer),
            line.note,
            str(line.city_answer),
            line.comment,
        ]
        for cell, text in zip(table.add_row().cells, values):
            cell.text = text

    decisive_failed = [line.item.number for line in round_.lines if line.decisive_failed]
    summary = [
        (_("Total points of the standard"), format_points(standard.total_points)),
        (_("Self-assessed total"), format_points(round_.self_total)),
        (_("City's total"), format_points(review.total) if review and review.total is not None else "—"),
        (_("Pass score"), format_points(standard.pass_score)),
        (_("Decisive items not met"), "、".join(decisive_failed) or _("none")),
        (_("Result"), str(result_text(round_))),
        (_("Overall comment"), review.comment if review and review.comment else "—"),
        (_("Reviewer"), person(review.reviewer) if review and review.decision else "—"),
        (_("Review date"), when(review.decided_at) if review else "—"),
    ]
    document.add_heading(_("Result"), level=2)
    key_value_table(document, summary)

    document.add_heading(_("Evidence"), level=2)
    evidence_rows = [(line.item.number, evidence) for line in round_.lines for evidence in line.evidence]
    if evidence_rows:
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, [_("No."), _("File"), _("Kind")]):
            cell.text = text
        for number, evidence in evidence_rows:
            for cell, text in zip(table.add_row().cells, [number, evidence.name, evidence.get_kind_display()]):
                cell.text = str(text)
    else:
        document.add_paragraph(_("No evidence files."))
    photos = [(number, evidence) for number, evidence in evidence_rows if evidence.is_photo]
    if photos:
        document.add_heading(_("Photos"), level=2)
        for number, evidence in photos:
            document.add_picture(thumbnail(evidence), width=THUMBNAIL_WIDTH)
            document.add_paragraph(f"{number} · {evidence.name}")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def key_value_table(document, pairs):
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in pairs:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(label), str(value)
    return table


def thumbnail(evidence):
    """A small JPEG of a stored photo (already checked and re-encoded when it was uploaded)."""
    with evidence.file.open("rb") as handle, Image.open(handle) as image:
        image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        output = io.BytesIO()
        image.convert("RGB").save(output, format="JPEG", quality=80)
    output.seek(0)
    return output
