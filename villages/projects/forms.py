"""The project pages' forms. They validate what is typed; who may change what is villages/projects/access.py's, and
the fields a user may not change are shown disabled (their values are then the saved ones)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from counties.models import Pairing
from counties.ranges import TEXT_MAX_LENGTH, apply_limits
from villages.forms import PlainSelect
from villages.models import FIRST_PROGRAMME_YEAR, LAST_PROGRAMME_YEAR, Village
from villages.projects import access, workflow
from villages.projects.models import (
    KINDS_OF_LEVEL,
    MONEY,
    Category,
    Level,
    PerformanceIndicator,
    Project,
    Source,
    Stage,
)

MONTH_FORMAT = "%Y-%m"


class MonthInput(forms.DateInput):
    """The browser's month picker ("2025-04")."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=MONTH_FORMAT)


def month_field(label, required=False):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=[MONTH_FORMAT],
        widget=MonthInput,
        error_messages={"invalid": _("Enter a month as YYYY-MM, e.g. 2025-04.")},
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProjectFilterForm(forms.Form):
    """The project list's filters: anything typed in the address bar is checked here."""

    PAGE_SIZE = 50

    county = forms.ModelChoiceField(
        label=_("County"), queryset=None, required=False, empty_label=_("All counties"), widget=PlainSelect
    )
    year = forms.TypedChoiceField(label=_("Programme year"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label=_("Category"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = access.project_counties(user)
        self.fields["year"].choices = [("", _("All years"))] + [
            (year, year) for year in range(LAST_PROGRAMME_YEAR, FIRST_PROGRAMME_YEAR - 1, -1)
        ]
        self.fields["category"].choices = [("", _("All categories")), *Category.choices]
        self.fields["stage"].choices = [("", _("All stages")), *Stage.choices]

    def filter(self, projects):
        data = self.cleaned_data
        if data.get("county"):
            projects = projects.filter(county=data["county"])
        if data.get("year"):
            projects = projects.filter(year=data["year"])
        if data.get("category"):
            projects = projects.filter(category=data["category"])
        if data.get("stage"):
            projects = projects.filter(stage=data["stage"])
        return projects


class ProjectForm(forms.ModelForm):
    """A project's description, villages and 联农带农 figures. `villages` are those of the project's township."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages"), queryset=Village.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    start_month = month_field(_("Planned start (month)"))
    end_month = month_field(_("Planned end (month)"))

    class Meta:
        model = Project
        fields = [*workflow.PLAN_FIELDS, *workflow.RESULT_FIELDS]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "benefit_mechanism": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, user, township, *args, may_plan=True, may_results=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villages"].queryset = Village.objects.filter(township=township).order_by("code")
        if self.instance.pk:
            self.fields["villages"].initial = list(self.instance.villages.values_list("pk", flat=True))
            self.fields["version"].initial = self.instance.version
        for name in self.fields:
            if name in workflow.PLAN_FIELDS + ["villages"] and not may_plan:
                self.fields[name].disabled = True
            if name in workflow.RESULT_FIELDS and not (may_results or may_plan):
                self.fields[name].disabled = True
        apply_limits(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_month"), data.get("end_month")
        if start and end and end < start:
            self.add_error("end_month", _("The planned end comes before the planned start."))
        return data

    def fields_changed(self):
        return {name: self.cleaned_data[name] for name in workflow.PLAN_FIELDS + workflow.RESULT_FIELDS}


class FundsForm(VersionForm):
    """The amount planned per source (万元), and the pairing that gives 结对帮扶资金."""

    def __init__(self, project, *args, **kwargs):
        super().__init__(*args, **kwargs)
        funds = {fund.source: fund for fund in project.funds.all()}
        for source, label in Source.choices:
            fund = funds.get(source)
            self.fields[self.key(source)] = forms.DecimalField(
                label=label,
                required=False,
                **MONEY,
                min_value=0,
                initial=fund.planned if fund else None,
                help_text=_("万元"),
            )
        self.fields["pairing"] = forms.ModelChoiceField(
            label=_("Pairing that gives the pairing funds"),
            queryset=Pairing.objects.involving(project.county_id).with_counties(),
            required=False,
            initial=funds[Source.PAIRING].pairing_id if Source.PAIRING in funds else None,
        )
        apply_limits(self)

    @staticmethod
    def key(source):
        return f"source_{Source.values.index(source)}"

    def plans(self):
        pairing = self.cleaned_data.get("pairing")
        return {source: (self.cleaned_data.get(self.key(source)), pairing) for source in Source.values}

    def amount_fields(self):
        return [self[self.key(source)] for source in Source.values]


class FigureForm(VersionForm):
    """One month's cumulative figures of a fund."""

    month = month_field(_("Month"), required=True)
    allocated = forms.DecimalField(label=_("Allocated to date (已拨付, 万元)"), **MONEY, min_value=0)
    spent = forms.DecimalField(label=_("Spent to date (已支出, 万元)"), **MONEY, min_value=0)
    reason = forms.CharField(
        label=_("Reason (when a figure is lower than before)"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, fund, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fund = fund
        apply_limits(self)

    def clean(self):
        data = super().clean()
        if data.get("month") and data["month"].year < self.fund.project.year:
            self.add_error(
                "month",
                _("The project's programme year is %(year)s: figures start then.") % {"year": self.fund.project.year},
            )
        return data


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = PerformanceIndicator
        fields = [*workflow.INDICATOR_PLAN, *workflow.INDICATOR_RESULT]
        widgets = {"position": forms.HiddenInput}

    def __init__(self, *args, may_plan=True, may_results=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        for name in workflow.INDICATOR_PLAN:
            self.fields[name].disabled = not may_plan
        for name in workflow.INDICATOR_RESULT:
            self.fields[name].disabled = not may_results
        apply_limits(self)

    def clean(self):
        data = super().clean()
        level, kind = data.get("level"), data.get("kind") or ""
        if level and kind not in KINDS_OF_LEVEL[Level(level)] and not (level == Level.SATISFACTION and not kind):
            self.add_error(
                "kind", _("This kind is not one of the level's (数量、质量、时效、成本 are outputs' kinds…).")
            )
        if level == Level.SATISFACTION:
            data["kind"] = ""
        if data.get("target_value") is None and not data.get("target_text"):
            self.add_error("target_value", _("Give the target: a number and unit, or words."))
        return data

    def values(self):
        data = self.cleaned_data
        return {name: data[name] for name in workflow.INDICATOR_PLAN + workflow.INDICATOR_RESULT if name in data}


class BaseIndicatorFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, may_plan=True, may_results=True, **kwargs):
        self.may_plan, self.may_results = may_plan, may_results
        super().__init__(*args, **kwargs)
        self.can_delete = may_plan
        if not may_plan:
            self.extra = 0

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "may_plan": self.may_plan, "may_results": self.may_results}

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        names = [form.cleaned_data.get("name") for form in self.forms if form.has_changed() or form.instance.pk]
        if len([name for name in names if name]) != len({name for name in names if name}):
            raise ValidationError(_("Two indicators have the same name."))

    def rows(self):
        """[(indicator id or None, values)] of the filled rows that are kept, and the ids of those deleted."""
        kept, removed = [], []
        for position, form in enumerate(self.forms):
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    removed.append(form.instance.pk)
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            values = form.values()
            if self.may_plan:
                values["position"] = position
            kept.append((form.instance.pk, values))
        return kept, removed


IndicatorFormSet = forms.modelformset_factory(
    PerformanceIndicator, form=IndicatorForm, formset=BaseIndicatorFormSet, extra=2, can_delete=True
)


class MoveForm(VersionForm):
    stage = forms.ChoiceField(choices=Stage.choices)
    reason = forms.CharField(required=False, max_length=TEXT_MAX_LENGTH, strip=True)
