"""PLACEHOLDER: being written."""

from django.views import View


class _Todo(View):
    pass


VolunteerExportView = _Todo
VolunteerImportView = _Todo
