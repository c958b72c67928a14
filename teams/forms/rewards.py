"""The form of the reward catalogue (material rewards and honour titles)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Reward


class RewardForm(forms.ModelForm):
    """A material reward (cost and stock) or an honour title (points to reach). The model's check
    constraint says so when the fields do not match the kind; it shows as a form error."""

    class Meta:
        model = Reward
        fields = ["kind", "name", "description", "cost_points", "stock", "threshold_points", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "cost_points": _("Material rewards only."),
            "stock": _("Material rewards only."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # requests already made hold points against this reward: its kind stays
            self.fields["kind"].disabled = True
        for name in ("cost_points", "stock", "threshold_points"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "min": 0})

    def service_kwargs(self) -> dict:
        """The arguments of services.rewards.reward_create, or of reward_update (without the kind,
        which never changes)."""
        data = dict(self.cleaned_data)
        if self.instance.pk is not None:
            data.pop("kind", None)
        return data
