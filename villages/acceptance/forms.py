"""The self-assessment and the review: a score (or, for a condition, a finding: met or not) and a text for every
item of the standard."""

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from villages.acceptance import scoring
from villages.acceptance.documents import check_evidence
from villages.forms import MultipleFileInput, checked_import_size
from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR, Tier

SAVE, FINISH = "save", "finish"


MET_CHOICES = [("yes", _("met (符合)")), ("no", _("not met (不符合)"))]
MET_VALUES = {"yes": True, "no": False, "": None}


@dataclass
class ItemRow:
    item: object
    score: object  # bound fields: the score, or the finding of a condition
    text: object
    files: object = None
    evidence: list = field(default_factory=list)
    remove: list = field(default_factory=list)  # (evidence, bound checkbox)

    @property
    def errors(self):
        return [error for bound in (self.score, self.text, self.files) if bound is not None for error in bound.errors]


class ScoredItemsForm(forms.Form):
    """A score (0 to the item's points, steps of 0.5) and a text per item; for a condition (否决项), met or not met
    instead of a score. FINISH (submit or decide) needs every one; SAVE keeps what is there."""

    text_label = _("Note")
    met_label = _("Declaration")
    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(SAVE, SAVE), (FINISH, FINISH)], required=False)  # the button pressed

    def __init__(self, items, current, version, data=None, files=None):
        super().__init__(data, files)
        self.items = list(items)
        self.initial["version"] = version
        for item in self.items:
            score, text, met = current.get(item.pk, (None, "", None))
            if item.is_condition:
                self.fields[f"score_{item.pk}"] = forms.ChoiceField(
                    label=self.met_label,
                    required=False,
                    choices=MET_CHOICES,
                    initial={True: "yes", False: "no"}.get(met, ""),
                    widget=forms.RadioSelect(attrs={"class": "met"}),
                )
            else:
                self.fields[f"score_{item.pk}"] = forms.CharField(
                    label=_("Score"),
                    required=False,
                    initial=scoring.format_points(score),
                    widget=forms.NumberInput(
                        attrs={"step": "0.5", "min": "0", "max": item.points, "inputmode": "decimal", "class": "score"}
                    ),
                )
            self.fields[f"text_{item.pk}"] = forms.CharField(
                label=self.text_label,
                required=False,
                initial=text,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @property
    def finishing(self):
        return self.data.get("action") == FINISH

    def clean(self):
        data = super().clean()
        missing = []
        self.answers = {}  # item id: (score, met)
        for item in self.items:
            name = f"score_{item.pk}"
            text = (data.get(name) or "").strip()
            if item.is_condition:
                self.answers[item.pk] = (None, MET_VALUES.get(text))
            elif text:
                try:
                    self.answers[item.pk] = (scoring.parse_score(text, item.points), None)
                except ValidationError as error:
                    self.add_error(name, item_problem(item, error.messages[0]))
                    continue
            else:
                self.answers[item.pk] = (None, None)
            if not scoring.is_answered(item, *self.answers[item.pk]):
                missing.append(item)
        if self.finishing and missing:
            for item in missing:
                needed = _("met or not met must be chosen.") if item.is_condition else _("a score is needed.")
                self.add_error(f"score_{item.pk}", item_problem(item, needed))
            raise ValidationError(_("%(count)d item(s) have no score; every item needs one.") % {"count": len(missing)})
        return data

    def entries(self):
        """{item id: (score, text, met)}."""
        return {
            item.pk: (*self.answers[item.pk][:1], self.cleaned_data[f"text_{item.pk}"], self.answers[item.pk][1])
            for item in self.items
        }

    def rows(self):
        return [ItemRow(item, self[f"score_{item.pk}"], self[f"text_{item.pk}"]) for item in self.items]

    def typed(self, current):
        """(item, typed score or finding, typed text) where they differ from `current` ({item id: (score, text,
        met)})."""
        result = []
        for item in self.items:
            score = self.data.get(f"score_{item.pk}", "").strip()
            text = self.data.get(f"text_{item.pk}", "").strip()
            old_score, old_text, old_met = current.get(item.pk, (None, "", None))
            if item.is_condition:
                changed = MET_VALUES.get(score) != old_met
                score = str(scoring.format_met(MET_VALUES.get(score)))
            else:
                changed = score != scoring.format_points(old_score)
            if changed or text != (old_text or ""):
                result.append((item, score, text))
        return result


class FilesField(forms.FileField):
    """Any number of files; each is checked by the form, which knows the item they are for."""

    def __init__(self, **kwargs):
        accept = "image/jpeg,image/png,image/webp,application/pdf,.pdf,.docx,.xlsx"
        super().__init__(required=False, widget=MultipleFileInput(attrs={"accept": accept}), **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(FilesField, self).clean(upload, initial) for upload in uploads]


def item_problem(item, problem):
    return _("Item %(number)s: %(problem)s") % {"number": item.number, "problem": problem}


class SelfAssessmentForm(ScoredItemsForm):
    """The county's application: with evidence files per item, and files of the draft that can be removed."""

    def __init__(self, items, current, version, evidence, data=None, files=None):
        super().__init__(items, current, version, data, files)
        self.evidence = evidence  # {item id: [Evidence]} already in the draft
        for item in self.items:
            self.fields[f"files_{item.pk}"] = FilesField(label=_("Evidence files"))
            for evidence_file in evidence.get(item.pk, []):
                self.fields[f"remove_{evidence_file.pk}"] = forms.BooleanField(label=_("remove"), required=False)

    def clean(self):
        data = super().clean()
        self.new_files, self.removed = {}, set()
        for item in self.items:
            kept = [e for e in self.evidence.get(item.pk, []) if not data.get(f"remove_{e.pk}")]
            self.removed |= {e.pk for e in self.evidence.get(item.pk, []) if data.get(f"remove_{e.pk}")}
            uploads = data.get(f"files_{item.pk}") or []
            checked, problems = [], []
            for upload in uploads:
                try:
                    checked.append(check_evidence(upload))
                except ValidationError as error:
                    problems.extend(error.messages)
            if len(kept) + len(uploads) > settings.EVIDENCE_FILES_PER_ITEM:
                problems.append(_("at most %(count)d files per item.") % {"count": settings.EVIDENCE_FILES_PER_ITEM})
            for problem in problems:
                self.add_error(f"files_{item.pk}", item_problem(item, problem))
            self.new_files[item.pk] = checked
        return data

    def rows(self):
        rows = super().rows()
        for row in rows:
            row.files = self[f"files_{row.item.pk}"]
            row.remove = [(e, self[f"remove_{e.pk}"]) for e in self.evidence.get(row.item.pk, [])]
        return rows


class ReviewForm(ScoredItemsForm):
    text_label = _("Comment")
    met_label = _("Finding")
    comment = forms.CharField(
        label=_("Overall comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, items, current, version, comment="", data=None):
        super().__init__(items, current, version, data)
        self.initial["comment"] = comment


class StandardImportForm(forms.Form):
    """The admin's standard import: the city's spreadsheet, the tier and year it is for, and the pass score."""

    file = forms.FileField(label=_("File"), help_text=_("XLSX or XLS."))
    tier = forms.ChoiceField(label=_("Tier"), choices=[c for c in Tier.choices if c[0] != Tier.NONE])
    year = forms.IntegerField(label=_("Programme year"), min_value=FIRST_PROGRAMME_YEAR, max_value=LAST_PROGRAMME_YEAR)
    pass_score = forms.DecimalField(label=_("Pass score"), min_value=0, max_digits=6, decimal_places=1)
    name = forms.CharField(
        label=_("Name"), required=False, max_length=200, help_text=_("Empty: the title row of the file.")
    )

    def clean_file(self):
        return checked_import_size(self.cleaned_data["file"])
