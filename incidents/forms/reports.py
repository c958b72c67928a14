"""The public report pages' forms."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jointdefense.core.phones import phone_normalised

from ..models import Category, Report
from ..selectors.reports import MAX_DESCRIPTION, MAX_PHOTOS, category_list, open_report_list


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files in one input; each is checked and re-encoded by the service."""

    widget = MultipleFileInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("What are you reporting?"),
        queryset=Category.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose what you are reporting."),
            "invalid_choice": _("Choose what you are reporting."),
        },
    )
    description = forms.CharField(
        label=_("What happened?"), max_length=MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 4})
    )
    lat = forms.CharField(widget=forms.HiddenInput, required=False)
    lng = forms.CharField(widget=forms.HiddenInput, required=False)
    photos = MultiplePhotoField(
        label=_("Photos (up to %(max)d)") % {"max": MAX_PHOTOS},
        required=False,
    )
    anonymous = forms.BooleanField(label=_("Stay anonymous, also to the police"), required=False)
    contact_name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    contact_email = forms.EmailField(label=_("Email"), required=False)
    # set by "Add to this report" on an open report nearby (the report page's script): its public id
    add_to = forms.ModelChoiceField(
        queryset=Report.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("That report is closed or not near your pin any more. File yours on its own.")
        },
    )

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["category"].queryset = category_list(tenant=tenant)
        self.fields["add_to"].queryset = open_report_list(tenant=tenant)

    def clean_contact_phone(self):
        """A valid number (in the station's region when typed without a country code), in E.164;
        none for an anonymous report (the service keeps no contact for one)."""
        if self.cleaned_data.get("anonymous"):
            return ""
        return phone_normalised(self.cleaned_data["contact_phone"], region=self.tenant.phone_region)

    def service_kwargs(self) -> dict[str, Any]:
        """For services.reports.report_submit (the page adds the tenant, reporter and source)."""
        data = self.cleaned_data
        names = ["category", "description", "lat", "lng", "photos", "anonymous", "add_to"]
        names += ["contact_name", "contact_phone", "contact_email"]
        return {name: data[name] for name in names}


class AddInformationForm(forms.Form):
    text = forms.CharField(
        label=_("Add information or answer the police"),
        max_length=MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = MultiplePhotoField(label=_("More photos"), required=False)

    def service_kwargs(self) -> dict[str, Any]:
        """For services.reports.report_add_information."""
        return {"text": self.cleaned_data["text"], "photos": self.cleaned_data["photos"]}


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=16)
