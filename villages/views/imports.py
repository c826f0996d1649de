"""Importing village lists in the admin (upload, preview, confirm) and the import template.

The admin pages run the same importer as `manage.py import_villages`; the upload waits for its
confirmation in villages.imports.pending under a name the app chose.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from villages import access
from villages.forms import ImportConfirmForm, VillageImportForm
from villages.imports import pending, problem_list
from villages.imports.export import XLSX_CONTENT_TYPE, template_bytes
from villages.imports.importer import import_villages
from villages.imports.preview import preview

CHANGELIST = "admin:villages_village_changelist"
IMPORT_PAGE = "admin:villages_village_import"
IMPORT_RESULT = "admin:villages_village_import_result"


def import_page(request, admin_context):
    """Upload → a dry run of the whole file, shown row by row; nothing is written. A file whose problems are all
    in some of its rows may be imported without them: the preview offers it, and their 问题清单."""
    access.check_import_villages(request.user)
    form = VillageImportForm(request.POST or None, request.FILES or None)
    context = {**admin_context, "title": _("Import villages"), "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        options = {"crs": form.cleaned_data["crs"], "encoding": form.cleaned_data["encoding"] or None}
        result = import_villages(content, upload.name, request.user, dry_run=True, **options)
        context["result"] = result
        context["warning_texts"] = [warning.text for warning in result.warnings]
        if result.ok or not result.file_problems:
            context["headings"], context["rows"] = preview(result)
        if result.problems and not result.file_problems:
            context["problem_list"] = store_problem_list(request, result)
        if (result.ok or result.skippable) and result.changed:
            if not result.ok:
                options["skip"] = sorted(result.bad_lines, key=lambda where: (where[0] or "", where[1]))
            token = pending.store(content, upload.name, request.user, options)
            context["confirm_form"] = ImportConfirmForm(initial={"token": token})
    return TemplateResponse(request, "admin/villages/village/import.html", context)


def store_problem_list(request, result, **summary):
    """The 问题清单 kept for its download (villages.imports.pending, as uploads are); returns its token."""
    content = problem_list.workbook_bytes(result) if result.bad_lines else b""
    return pending.store(content, problem_list.filename(result.filename), request.user, {"problems": True, **summary})


@require_POST
def confirm_import(request):
    """The stored upload, checked again against the database as it is now, and written if still correct; without
    the rows the preview skipped, when the preview was confirmed so and exactly those rows still have problems."""
    access.check_import_villages(request.user)
    form = ImportConfirmForm(request.POST)
    stored = pending.load(form.cleaned_data["token"], request.user) if form.is_valid() else None
    if stored is None or stored.options.get("problems"):
        messages.error(request, _("This preview has expired or does not exist; upload the file again."))
        return redirect(IMPORT_PAGE)
    options = dict(stored.options)
    skips = options.pop("skip", None)
    if skips is not None:
        options.update(skip_invalid=True, expected_skips={tuple(where) for where in skips})
    result = import_villages(stored.content, stored.filename, request.user, **options)
    pending.discard(stored.token)
    if not result.importable:
        # The villages changed between the preview and the confirmation.
        messages.error(
            request, _("Nothing was imported: %(problems)s") % {"problems": "; ".join(map(str, result.problems))}
        )
        return redirect(IMPORT_PAGE)
    messages.success(
        request,
        _("Imported %(name)s: %(changed)d villages changed, %(unchanged)d unchanged.")
        % {"name": result.filename, "changed": result.changed, "unchanged": result.unchanged},
    )
    if not result.skipped and not result.warnings:
        return redirect(CHANGELIST)
    summary = {
        "imported": result.filename,
        "skipped": len(result.bad_lines),
        "warnings": [warning.text for warning in result.warnings],
    }
    token = store_problem_list(request, result, **summary)
    return redirect(IMPORT_RESULT, token=token)


def import_result(request, token, admin_context):
    """After an import that skipped rows or had warnings: what it skipped, and their 问题清单 to send back; the
    figures that do not fit together."""
    access.check_import_villages(request.user)
    stored = pending.load(token, request.user)
    if stored is None or "imported" not in stored.options:
        raise Http404
    context = {
        **admin_context,
        "title": _("Import villages"),
        "stored": stored,
        "imported": stored.options.get("imported"),
        "skipped": stored.options.get("skipped"),
        "warnings": stored.options.get("warnings", []),
    }
    return TemplateResponse(request, "admin/villages/village/import_result.html", context)


def download_problem_list(request, token):
    access.check_import_villages(request.user)
    stored = pending.load(token, request.user)
    if stored is None or not stored.options.get("problems") or not stored.content:
        raise Http404
    response = HttpResponse(stored.content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, stored.filename)
    return response


@login_required
def import_template(request):
    access.check_import_villages(request.user)
    response = HttpResponse(template_bytes(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="village-import-template.xlsx"'
    return response
