"""PLACEHOLDER: being written. Every name teams/urls.py uses from this module is defined below."""

from django.views import View


class _Todo(View):
    pass


TeamCreateView = _Todo


TeamDetailView = _Todo


TeamEditView = _Todo


TeamListView = _Todo


TeamMemberAddView = _Todo


TeamMemberRemoveView = _Todo
