"""The calendar page's one form: a new address of the volunteer's own calendar or of a team they
lead, or turning one off. The team is one of those the volunteer leads, so another station's or
another team's id is an invalid choice."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Team

ACTIONS = [("renew", _("Make a new address")), ("revoke", _("Turn the address off"))]


class CalendarFeedForm(forms.Form):
    action = forms.ChoiceField(label=_("What to do"), choices=ACTIONS)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args, teams: list[Team], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(pk__in=[team.pk for team in teams])
