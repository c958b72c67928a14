from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.generic import DetailView, ListView, TemplateView

from jointdefense.core.registry import navigation, station_panels

from . import selectors
from .geo import feature_collection
from .models import Community
from .roles import has_station_perm, require_station_perm


class StationViewMixin:
    """Base of every station page: the user must be logged in (else the login page), a member of
    the station (else 404, exactly like a missing station) and hold ``permission_required``
    (else 403). Querysets are restricted to the station by ``get_queryset``."""

    permission_required: str = "station.view"
    model = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require_station_perm(request.user, request.tenant, self.permission_required)
        self.tenant = request.tenant
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.filter(tenant=self.tenant)


class BureauStationsMixin:
    """A station's page opened in a bureau: the bureau has no rows of its own, so instead of an
    empty page it lists the bureau's stations, each leading to this page in that station (a bureau
    viewer reads every station under the bureau, read-only). Put it before StationViewMixin."""

    def dispatch(self, request, *args, **kwargs):
        tenant = getattr(request, "tenant", None)
        if tenant is None or not tenant.is_bureau or not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        require_station_perm(request.user, tenant, self.permission_required)
        name = request.resolver_match.view_name
        stations = selectors.station_list_for_bureau(bureau=tenant)
        return render(
            request,
            "tenancy/bureau_stations.html",
            {
                "title": next((item.label for item in navigation if item.url_name == name), ""),
                "links": [(station, reverse(name, kwargs={"station": station.slug})) for station in stations],
            },
        )


def home(request):
    """Where "/" leads: the login page, the user's only station, or the station switcher."""
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    last = request.session.get("last_station")
    memberships = selectors.membership_list_for_user(user=request.user)
    slugs = [m.tenant.slug for m in memberships]
    if last in slugs:
        return redirect("tenancy:home", station=last)
    if len(slugs) == 1:
        return redirect("tenancy:home", station=slugs[0])
    return redirect("stations")


@login_required
def station_switcher(request):
    memberships = selectors.membership_list_for_user(user=request.user)
    return render(request, "tenancy/stations.html", {"memberships": memberships})


class StationHomeView(StationViewMixin, TemplateView):
    """A station's overview: its map of communities and grid cells, and the panels the domain apps
    register (core.registry.station_panels). For a bureau: its stations side by side."""

    permission_required = "station.view"

    def get_template_names(self):
        return ["tenancy/bureau_home.html" if self.tenant.is_bureau else "tenancy/station_home.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.request.session.get("last_station") != self.tenant.slug:
            self.request.session["last_station"] = self.tenant.slug
        if self.tenant.is_bureau:
            stations = selectors.station_list_for_bureau(bureau=self.tenant)
            ctx["stations"] = stations
            ctx["map_data"] = feature_collection(stations=stations)
        else:
            stations = [self.tenant]
            communities = list(selectors.community_list_with_cells(tenant=self.tenant))
            ctx["communities"] = communities
            ctx["grid_cell_total"] = sum(c.grid_cell_count for c in communities)
            ctx["household_total"] = sum(c.households or 0 for c in communities)
            ctx["map_data"] = feature_collection(station=self.tenant, communities=communities)
        ctx["panels"] = panels = self.panels(stations)
        # a bureau's table of stations gets a column from each panel that gives one
        ctx["panel_columns"] = [p["context"]["column"]["label"] for p in panels if "column" in p["context"]]
        for station in stations:
            station.panel_cells = [
                p["context"]["column"]["values"].get(station.pk, "")
                for p in panels
                if "column" in p["context"]
            ]
        return ctx

    def panels(self, stations):
        """The registered panels this user may see here, each as (template, context)."""
        shown = []
        for panel in station_panels:
            if not (panel.bureau if self.tenant.is_bureau else panel.station):
                continue
            if not has_station_perm(self.request.user, self.tenant, panel.permission):
                continue
            context = panel.context(self.request, self.tenant, stations)
            if context is not None:
                shown.append({"key": panel.key, "template": panel.template, "context": context})
        return shown


class CommunityListView(StationViewMixin, ListView):
    permission_required = "community.view"
    template_name = "tenancy/community_list.html"
    context_object_name = "communities"

    def get_queryset(self):
        return selectors.community_list(tenant=self.tenant)


class CommunityDetailView(StationViewMixin, DetailView):
    permission_required = "community.view"
    template_name = "tenancy/community_detail.html"
    context_object_name = "community"
    model = Community
    slug_url_kwarg = "community"

    def get_queryset(self):
        return super().get_queryset().annotate(grid_cell_count=Count("grid_cells"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cells = list(selectors.grid_cell_list(tenant=self.tenant, community=self.object))
        ctx["grid_cells"] = cells
        ctx["map_data"] = feature_collection(communities=[self.object], grid_cells=cells)
        return ctx


class MemberListView(StationViewMixin, ListView):
    permission_required = "station.view_members"
    template_name = "tenancy/member_list.html"
    context_object_name = "memberships"
    paginate_by = 100

    def get_queryset(self):
        return selectors.member_list(tenant=self.tenant)


class DeskView(StationViewMixin, TemplateView):
    """The officer's desk (their landing page): what waits for them, one section per thing the
    domain apps register (core.registry.desk_sections), each with its count and its full list."""

    permission_required = "desk.view"
    template_name = "tenancy/desk.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["sections"] = selectors.desk_for(tenant=self.tenant, user=self.request.user)
        return ctx
