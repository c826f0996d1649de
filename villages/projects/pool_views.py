"""The 项目库 as files: importing a county's pool (upload, preview, confirm), exporting it, and the 公示 of a village
or a township (DOCX, and PDF where LibreOffice is installed).

The import page runs the same importer as `manage.py import_projects`; the upload waits for its confirmation in
villages.imports.pending under a name the app chose, and is checked again when it is confirmed.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counties.access import NotVisible
from counties.models import County
from villages.forms import ImportConfirmForm
from villages.imports import pending
from villages.imports.export import XLSX_CONTENT_TYPE
from villages.projects import access
from villages.projects.imports.export import pool_title, pool_xlsx
from villages.projects.imports.importer import import_pool
from villages.projects.models import Category, Stage
from villages.projects.notice import DOCX_CONTENT_TYPE, NoPdf, notice_docx, notice_pdf, pdf_available
from villages.projects.pool_forms import NoticeForm, PoolImportForm, this_year

IMPORT_PAGE = "projects:pool_import"


def attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
def pool_import(request):
    """Upload → a dry run of the whole file, shown row by row; nothing is written."""
    access.check_import_projects(request.user)
    form = PoolImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        options = {"year": form.cleaned_data["year"], "encoding": form.cleaned_data["encoding"] or None}
        result = import_pool(content, upload.name, request.user, dry_run=True, **options)
        context["result"] = result
        if result.ok and (result.created or result.updated):
            token = pending.store(content, upload.name, request.user, options)
            context["confirm_form"] = ImportConfirmForm(initial={"token": token})
    return render(request, "projects/pool_import.html", context)


@login_required
@require_POST
def pool_import_confirm(request):
    """The stored upload, checked again against the pool as it is now, and written if still correct."""
    access.check_import_projects(request.user)
    form = ImportConfirmForm(request.POST)
    stored = pending.load(form.cleaned_data["token"], request.user) if form.is_valid() else None
    if stored is None:
        messages.error(request, _("This preview has expired or does not exist; upload the file again."))
        return redirect(IMPORT_PAGE)
    result = import_pool(stored.content, stored.filename, request.user, **stored.options)
    pending.discard(stored.token)
    if not result.ok:
        messages.error(
            request, _("Nothing was imported: %(problems)s") % {"problems": "; ".join(map(str, result.problems))}
        )
        return redirect(IMPORT_PAGE)
    messages.success(
        request,
        _("Imported %(name)s: %(created)d projects created, %(updated)d updated, %(unchanged)d unchanged.")
        % {
            "name": result.filename,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return redirect(IMPORT_PAGE)


@login_required
def pool_export(request):
    """The pool the user sees, of a year and a county if asked, as the workbook the import reads."""
    projects = access.visible_projects(request.user)
    year = request.GET.get("year", "")
    county = None
    if year:
        if not year.isdigit():
            raise NotVisible(_("%(value)s is not a year.") % {"value": year})
        projects = projects.filter(year=int(year))
    if request.GET.get("county"):
        county = County.objects.filter(code=request.GET["county"]).first()
        if county is None or not access.can_see_county_projects(request.user, county.code):
            raise NotVisible(_("There is no such county, or you do not see its records."))
        projects = projects.filter(county=county)
    for name, choices in (("category", Category.values), ("stage", Stage.values)):
        if request.GET.get(name) in choices:  # the project list's other filters
            projects = projects.filter(**{name: request.GET[name]})
    title = pool_title(int(year) if year else None, county)
    return attachment(pool_xlsx(projects, title), XLSX_CONTENT_TYPE, f"{title}.xlsx")


def notice_place(request, code):
    place = access.get_notice_place_for_view(request.user, code)
    form = NoticeForm(request.GET or {"year": this_year(), "start": timezone.localdate(), "days": 10})
    return place, form


@login_required
def notice_page(request, code):
    """The 公示 of a village or a township: its projects of the year, and the documents to print."""
    place, form = notice_place(request, code)
    notice = form.notice(place) if form.is_valid() else None
    context = {
        "place": place,
        "form": form,
        "notice": notice,
        "projects": notice.projects() if notice else [],
        "pdf_available": pdf_available(),
        "hotline": settings.PROJECT_NOTICE_HOTLINE,
        "query": request.GET.urlencode(),
    }
    return render(request, "projects/notice.html", context)


@login_required
def notice_document(request, code, kind):
    place, form = notice_place(request, code)
    if not form.is_valid():
        return redirect("projects:notice", code)
    notice = form.notice(place)
    if kind == "docx":
        return attachment(notice_docx(notice), DOCX_CONTENT_TYPE, f"{notice.filename}.docx")
    try:
        return attachment(notice_pdf(notice), "application/pdf", f"{notice.filename}.pdf")
    except NoPdf:
        messages.error(
            request,
            _("PDF is not available on this server (LibreOffice is not installed): download the DOCX and print it."),
        )
        return redirect(f"{reverse('projects:notice', args=[code])}?{request.GET.urlencode()}")
