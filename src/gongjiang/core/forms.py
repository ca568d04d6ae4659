from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Industry, Organization, Region, Role


class BootstrapForm(forms.Form):
    """A form whose widgets carry Bootstrap classes (use it for every page form)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class CodeChoiceField(forms.CharField):
    """A reference code typed by the user, checked against a model."""

    def __init__(self, model: Any, *args: Any, **kwargs: Any) -> None:
        self.model = model
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if not value:
            return None
        obj = self.model.objects.filter(code=value.strip()).first()
        if obj is None:
            raise forms.ValidationError(_("Unknown code “%(code)s”.") % {"code": value})
        return obj


class OrganizationForm(BootstrapForm):
    name = forms.CharField(label=_("name"), max_length=200)
    short_name = forms.CharField(label=_("short name"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=Organization.Kind.choices)
    region = CodeChoiceField(
        Region, label=_("region code"), max_length=6, help_text=_("GB/T 2260 code, e.g. 320100")
    )
    industry = CodeChoiceField(
        Industry,
        label=_("industry code"),
        max_length=4,
        required=False,
        help_text=_("GB/T 4754-2017 code, e.g. 3720 (enterprises)"),
    )
    uscc = forms.CharField(label=_("unified social credit code"), max_length=18, required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    contact = forms.CharField(label=_("contact person"), max_length=60, required=False)


class MoveForm(BootstrapForm):
    parent = forms.ModelChoiceField(
        label=_("new parent"), queryset=Organization.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: Any, parents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents


class UploadForm(BootstrapForm):
    file = forms.FileField(label=_("file (.xlsx, .xls or .csv)"))

    def clean_file(self) -> Any:
        from django.conf import settings

        f = self.cleaned_data["file"]
        if f.size > settings.MAX_UPLOAD_SIZE:
            raise forms.ValidationError(_("The file is too large."))
        name = f.name.lower()
        if not name.endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx, .xls or .csv file."))
        return f


class MembershipForm(BootstrapForm):
    username = forms.CharField(label=_("user name"), max_length=150)
    full_name = forms.CharField(
        label=_("full name"), max_length=150, required=False, help_text=_("Only for a new user.")
    )
    password = forms.CharField(
        label=_("initial password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Only for a new user: at least 10 characters."),
    )
    organization = forms.ModelChoiceField(
        label=_("organization"), queryset=Organization.objects.none(), to_field_name="code"
    )
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations


class TokenForm(BootstrapForm):
    name = forms.CharField(label=_("token name"), max_length=100)


class AuditFilterForm(BootstrapForm):
    """The action is chosen by its label (core.audit_labels), never typed as an internal code."""

    q = forms.CharField(label=_("object or address"), required=False, max_length=100)
    action = forms.ChoiceField(label=_("action"), required=False, choices=())
    actor = forms.CharField(label=_("user"), required=False, max_length=150)
    since = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .audit_labels import ACTION_LABELS

        labels = sorted(
            ((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1]
        )
        self.fields["action"].choices = [("", "—"), *labels]
