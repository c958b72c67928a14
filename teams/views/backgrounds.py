"""The station's own list of volunteer backgrounds (residents, delivery riders, …): officers rename,
reorder, retire and add entries; a background in use is retired, never deleted."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from jointdefense.core.errors import DomainError
from jointdefense.tenancy.views import StationViewMixin

from ..forms.screening import BackgroundGroupFormSet, NewBackgroundGroupForm
from ..selectors.screening import background_group_all
from ..services.screening import background_group_add, background_groups_update


class BackgroundGroupsView(StationViewMixin, View):
    permission_required = "volunteer.manage_backgrounds"
    template_name = "teams/background_groups.html"

    def queryset(self):
        return background_group_all(tenant=self.tenant)

    def get(self, request, *args, **kwargs):
        return self.page(BackgroundGroupFormSet(queryset=self.queryset()), NewBackgroundGroupForm())

    def post(self, request, *args, **kwargs):
        if "add" in request.POST:
            form = NewBackgroundGroupForm(request.POST)
            if form.is_valid():
                try:
                    background_group_add(tenant=self.tenant, actor=request.user, **form.service_kwargs())
                except DomainError as err:
                    form.add_error("name", err.message)
                else:
                    messages.success(request, _("Background added."))
                    return redirect("teams:background-groups", station=self.tenant.slug)
            return self.page(BackgroundGroupFormSet(queryset=self.queryset()), form, status=400)
        formset = BackgroundGroupFormSet(request.POST, queryset=self.queryset())
        if formset.is_valid():
            try:
                background_groups_update(
                    tenant=self.tenant,
                    actor=request.user,
                    # the station's own rows only: a form added to the POST by hand changes nothing
                    changes=[f.instance for f in formset.initial_forms if f.has_changed()],
                )
            except DomainError as err:
                formset._non_form_errors = formset.error_class([err.message])
            else:
                messages.success(request, _("Backgrounds saved."))
                return redirect("teams:background-groups", station=self.tenant.slug)
        return self.page(formset, NewBackgroundGroupForm(), status=400)

    def page(self, formset, new_form, status=200):
        return render(
            self.request,
            self.template_name,
            {"tenant": self.tenant, "formset": formset, "new_form": new_form},
            status=status,
        )
