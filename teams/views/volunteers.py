"""PLACEHOLDER: being written. Every name teams/urls.py uses from this module is defined below."""

from django.views import View


class _Todo(View):
    pass


ApplicationListView = _Todo


ApplyView = _Todo


VolunteerActionView = _Todo


VolunteerDetailView = _Todo


VolunteerListView = _Todo
