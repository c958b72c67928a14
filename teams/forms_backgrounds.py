from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from .models import BackgroundGroup


class BackgroundGroupForm(forms.ModelForm):
    class Meta:
        model = BackgroundGroup
        fields = ["name", "position", "is_active"]


BackgroundGroupFormSet = modelformset_factory(
    BackgroundGroup, form=BackgroundGroupForm, extra=0, can_delete=False
)


class NewBackgroundGroupForm(forms.Form):
    name = forms.CharField(label=_("New background"), max_length=80)
