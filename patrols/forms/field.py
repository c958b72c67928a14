"""Forms of the field pages: a patrol's note and photo, the check-in page's own form (for phones
without JavaScript) and the officers' period of the patrols list."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from ..services.field import MAX_NOTE_LENGTH


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Note"), max_length=MAX_NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_kwargs(self):
        """For ``patrol_note_add`` (with ``patrol`` and ``volunteer``)."""
        return {"text": self.cleaned_data["text"]}


class PhotoForm(forms.Form):
    photo = forms.ImageField(label=gettext_lazy("Photo"))
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=200, required=False)

    def service_kwargs(self):
        """For ``patrol_photo_add`` (with ``patrol`` and ``volunteer``)."""
        return {"upload": self.cleaned_data["photo"], "caption": self.cleaned_data["caption"]}


class CheckInForm(forms.Form):
    """The page's own form, for phones without JavaScript; the script sends the same through the
    API and keeps it in the phone when there is no signal."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    device_time = forms.CharField(widget=forms.HiddenInput, required=False)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)
    accuracy_m = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=0)

    def service_kwargs(self, *, qr_token):
        """For ``check_in_submit`` (with ``volunteer``) at the checkpoint of ``qr_token``. The
        phone's time (now when the page sent none; the current time zone when it has none)."""
        data = self.cleaned_data
        device_time = parse_datetime(data["device_time"] or "") or timezone.now()
        if timezone.is_naive(device_time):
            device_time = timezone.make_aware(device_time)
        return {
            "qr_token": qr_token,
            "client_id": data["client_id"],
            "device_time": device_time,
            "lat": data["lat"],
            "lng": data["lng"],
            "accuracy_m": data["accuracy_m"],
        }


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def period(self):
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - datetime.timedelta(days=29)
        if start > end:
            start, end = end, start
        tz = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(start, datetime.time.min, tz),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tz),
            start,
            end,
        )
