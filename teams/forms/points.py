"""Forms of the points pages: manual awards, corrections and the station's point rules.

The manual award form is shown on the volunteer's page (teams/points_award_form.html); build it
with ``award_form_for(volunteer)``: it carries a fresh one-time token, so a form submitted twice
awards once (the token becomes the ledger entry's idempotency key).
"""

import uuid
from decimal import Decimal

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import ContributionKind, PointRule
from ..selectors.points import point_rule_list


def _rule_label(rule: PointRule) -> str:
    points = rule.points_for(1)
    return ngettext("%(kind)s (%(points)d point each)", "%(kind)s (%(points)d points each)", points) % {
        "kind": rule.get_kind_display(),
        "points": points,
    }


class PointsAwardForm(forms.Form):
    """An officer awards points by hand for a contribution the system did not count itself."""

    kind = forms.ChoiceField(label=_("Contribution"), choices=ContributionKind.choices)
    quantity = forms.IntegerField(
        label=_("How many"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("For example the number of patrol hours or of clues (1 to 100)."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        help_text=_("The volunteer sees it in their points history."),
    )
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rules is not None:
            # only what the station awards points for, with the points each unit earns
            self.fields["kind"].choices = [(r.kind, _rule_label(r)) for r in rules]
        self.fields["quantity"].widget.attrs.update({"inputmode": "numeric"})

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say what the points are for."))
        return reason

    @property
    def idempotency_key(self) -> str:
        return f"manual:{self.cleaned_data['token']}"

    def service_kwargs(self) -> dict:
        """The arguments of services.points.points_award (with the station, volunteer and actor)."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "quantity": data["quantity"],
            "reason": data["reason"],
            "idempotency_key": self.idempotency_key,
        }


def active_rules(tenant_id):
    return list(point_rule_list(tenant=tenant_id, active_only=True))


def award_form_for(volunteer) -> PointsAwardForm:
    """An unbound award form for ``volunteer``'s page, with a fresh one-time token."""
    return PointsAwardForm(
        initial={"token": uuid.uuid4(), "quantity": 1}, rules=active_rules(volunteer.tenant_id)
    )


class CorrectionReasonForm(forms.Form):
    """A required reason: for a correction of the ledger."""

    reason = forms.CharField(label=_("Reason"), max_length=255)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason

    def service_kwargs(self) -> dict:
        """The arguments of services.points.points_reverse (with the entry and the actor)."""
        return {"reason": self.cleaned_data["reason"]}


class PointRuleForm(forms.ModelForm):
    base_points = forms.IntegerField(label=_("Base points"), min_value=1, max_value=10000)
    difficulty_factor = forms.DecimalField(
        label=_("Difficulty factor"),
        max_digits=4,
        decimal_places=2,
        help_text=_("More than 0 and at most 10; 1.00 = normal."),
    )

    class Meta:
        model = PointRule
        fields = ["base_points", "difficulty_factor", "is_active"]

    def clean_difficulty_factor(self):
        factor = self.cleaned_data["difficulty_factor"]
        if not (Decimal(0) < factor <= Decimal(10)):
            raise forms.ValidationError(_("The difficulty factor must be more than 0 and at most 10."))
        return factor

    def service_kwargs(self) -> dict:
        """The values of services.points.point_rule_update for this rule."""
        return {k: self.cleaned_data[k] for k in ("base_points", "difficulty_factor", "is_active")}


PointRuleFormSet = modelformset_factory(
    PointRule, form=PointRuleForm, extra=0, can_delete=False, edit_only=True, max_num=50, absolute_max=50
)
