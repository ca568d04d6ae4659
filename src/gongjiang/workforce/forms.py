"""Page forms of the workforce registry (the services validate again: forms only parse)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjiang.core.forms import BootstrapForm, CodeChoiceField, UploadForm
from gongjiang.core.models import Enterprise, Occupation, Organization, SkillLevel

from .models import Certificate, Honour, Worker
from .roster.reader import FIELDS


class DateInput(forms.DateInput):
    """An HTML date input: its value must be ISO (yyyy-mm-dd) whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


DATE = {"widget": DateInput}


def _field_labels() -> dict[str, Any]:
    return {
        "name": _("name"),
        "citizen_id": _("citizen ID number"),
        "gender": _("gender"),
        "birth_date": _("birth date"),
        "ethnicity": _("ethnicity"),
        "education": _("education"),
        "phone": _("mobile phone"),
        "occupation": _("occupation"),
        "skill_level": _("skill level"),
        "hire_date": _("hire date"),
        "employee_number": _("employee number"),
        "team": _("team"),
        "employer": _("employer"),
    }


def _enterprise_field(label: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=Enterprise.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_("Needed only when the union covers several enterprises."),
    )


class WorkerForm(BootstrapForm):
    organization = forms.ModelChoiceField(
        label=_("union organisation"), queryset=Organization.objects.none(), to_field_name="code"
    )
    employer = _enterprise_field(_("employer"))
    name = forms.CharField(label=_("name"), max_length=50)
    citizen_id = forms.CharField(label=_("citizen ID number"), max_length=30)
    gender = forms.ChoiceField(
        label=_("gender"),
        required=False,
        choices=[("", _("from the ID number")), *Worker.Gender.choices],
        help_text=_("Gender and birth date come from the ID number; a stated value must agree."),
    )
    birth_date = forms.DateField(label=_("birth date"), required=False, **DATE)
    team = forms.ModelChoiceField(
        label=_("team"), queryset=Organization.objects.none(), to_field_name="code", required=False
    )
    employee_number = forms.CharField(label=_("employee number"), max_length=40, required=False)
    occupation = CodeChoiceField(
        Occupation,
        label=_("occupation code"),
        max_length=20,
        required=False,
        help_text=_("职业分类大典 (2022) code, e.g. 6-18-02-04"),
    )
    job_title = forms.CharField(label=_("job title"), max_length=100, required=False)
    skill_level = forms.ModelChoiceField(
        label=_("skill level"), queryset=SkillLevel.objects.all(), required=False
    )
    hire_date = forms.DateField(label=_("hire date"), required=False, **DATE)
    employment_type = forms.ChoiceField(
        label=_("employment type"), choices=Worker.EmploymentType.choices
    )
    union_member_since = forms.DateField(label=_("union member since"), required=False, **DATE)
    status = forms.ChoiceField(label=_("status"), choices=Worker.Status.choices)
    phone = forms.CharField(label=_("mobile phone"), max_length=30, required=False)
    ethnicity = forms.CharField(label=_("ethnicity"), max_length=20, required=False)
    education = forms.CharField(label=_("education"), max_length=20, required=False)
    political_status = forms.CharField(label=_("political status"), max_length=20, required=False)

    def __init__(
        self,
        *args: Any,
        employers: Any = None,
        teams: Any = None,
        worker: Worker | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if worker is not None:  # editing: employer via transfer, level via level change
            del self.fields["organization"]
            del self.fields["employer"]
            del self.fields["skill_level"]
            self.fields["citizen_id"].required = False
            self.fields["citizen_id"].help_text = _("Leave empty to keep %(masked)s.") % {
                "masked": worker.citizen_id_masked
            }
            self.fields["phone"].help_text = _("Leave empty to keep %(masked)s.") % {
                "masked": worker.phone_masked or "—"
            }
        elif employers is not None:
            self.fields["organization"].queryset = employers
            self.fields["employer"].queryset = _enterprises_of(employers)
        if teams is not None:
            self.fields["team"].queryset = teams


def _enterprises_of(unions: Any) -> Any:
    return Enterprise.objects.filter(union__in=unions, is_active=True).order_by("name")


class TransferForm(BootstrapForm):
    to_organization = forms.ModelChoiceField(
        label=_("new union organisation"),
        queryset=Organization.objects.none(),
        to_field_name="code",
    )
    to_employer = _enterprise_field(_("new employer"))
    date = forms.DateField(label=_("date"), initial=dt.date.today, **DATE)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args: Any, employers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if employers is not None:
            self.fields["to_organization"].queryset = employers
            self.fields["to_employer"].queryset = _enterprises_of(employers)


class LevelChangeForm(BootstrapForm):
    level = forms.ModelChoiceField(
        label=_("new skill level"),
        queryset=SkillLevel.objects.all(),
        required=False,
        empty_label=_("no skill level"),
    )
    date = forms.DateField(label=_("date"), initial=dt.date.today, **DATE)
    source = forms.CharField(
        label=_("source"),
        max_length=200,
        help_text=_("Where this comes from: a certificate, an exam, a competition award…"),
    )
    source_ref = forms.CharField(label=_("reference"), max_length=60, required=False)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class CertificateForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("kind"), choices=Certificate.Kind.choices)
    number = forms.CharField(
        label=_("certificate number"),
        max_length=40,
        help_text=_("Skill level certificates: 22 characters, Y or S and 21 digits."),
    )
    level = forms.ModelChoiceField(
        label=_("level"), queryset=SkillLevel.objects.all(), required=False
    )
    occupation = CodeChoiceField(
        Occupation, label=_("occupation code"), max_length=20, required=False
    )
    issuer = forms.CharField(label=_("issuer"), max_length=100)
    date = forms.DateField(label=_("date of issue"), **DATE)
    valid_until = forms.DateField(label=_("valid until"), required=False, **DATE)


class HonourForm(BootstrapForm):
    title = forms.CharField(
        label=_("title"), max_length=60, widget=forms.TextInput(attrs={"list": "honour-titles"})
    )
    level = forms.ChoiceField(label=_("level"), choices=Honour.Level.choices)
    year = forms.IntegerField(label=_("year"), min_value=1949, max_value=2100)
    awarded_by = forms.CharField(label=_("awarded by"), max_length=100, required=False)


class TrainingForm(BootstrapForm):
    title = forms.CharField(label=_("course or event"), max_length=200)
    hours = forms.DecimalField(label=_("hours"), min_value=0.1, max_value=10000, decimal_places=1)
    date = forms.DateField(label=_("date"), **DATE)
    result = forms.CharField(label=_("result"), max_length=60, required=False)
    provider = forms.CharField(label=_("provider"), max_length=100, required=False)


class RosterUploadForm(UploadForm):
    organization = forms.ModelChoiceField(
        label=_("import into the enterprise"),
        queryset=Organization.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_("You can also choose it after the check."),
    )

    def __init__(self, *args: Any, employers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if employers is not None:
            self.fields["organization"].queryset = employers


class MappingForm(BootstrapForm):
    """One select per field: which column of the file holds it (or none)."""

    def __init__(
        self, *args: Any, headers: list[str], mapping: dict[str, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        from .roster.reader import _column_letter

        choices = [("", _("— not in the file —"))] + [
            (str(i), f"{_column_letter(i)}: {h}" if h else _column_letter(i))
            for i, h in enumerate(headers)
        ]
        labels = _field_labels()
        for name in FIELDS:
            self.fields[f"col_{name}"] = forms.ChoiceField(
                label=labels[name],
                choices=choices,
                required=name in ("name", "citizen_id"),
                initial=str(mapping[name]) if name in mapping else "",
            )
            self.fields[f"col_{name}"].widget.attrs["class"] = "form-select form-select-sm"

    def mapping(self) -> dict[str, int | None]:
        return {
            name: int(v) if (v := self.cleaned_data.get(f"col_{name}")) not in (None, "") else None
            for name in FIELDS
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        used = [v for k, v in data.items() if k.startswith("col_") and v not in (None, "")]
        if len(used) != len(set(used)):
            raise forms.ValidationError(_("Two fields are mapped to the same column."))
        return data
