"""The upload form of a CSV roster (the file is read and checked by services.imports)."""

from django import forms
from django.utils.translation import gettext_lazy


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8 CSV, at most 2 MB and 5,000 volunteers. Excel: “Save as” → “CSV UTF-8”."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
