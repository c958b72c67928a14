from django.db.models import Count
from django.views.generic import DetailView, ListView, TemplateView

from jointdefense.accounts.roles import has_station_perm
from jointdefense.core.views import StationViewMixin

from . import selectors
from .geo import feature_collection
from .models import Community


class StationHomeView(StationViewMixin, TemplateView):
    """A station's overview: its map of communities and grid cells. For a bureau: its stations."""

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
            if self.may_see_counts():
                self.add_disputes_settled(ctx, stations)
            return ctx
        communities = list(selectors.community_list_with_cells(tenant=self.tenant))
        ctx["communities"] = communities
        ctx["grid_cell_total"] = sum(c.grid_cell_count for c in communities)
        ctx["household_total"] = sum(c.households or 0 for c in communities)
        ctx["map_data"] = feature_collection(station=self.tenant, communities=communities)
        if self.may_see_counts():
            self.add_disputes_settled(ctx, [self.tenant])
        return ctx

    def may_see_counts(self):
        return has_station_perm(self.request.user, self.tenant, "mediation.view_counts")

    def add_disputes_settled(self, ctx, stations):
        """Disputes settled this month, last month and this year (one query for all stations);
        a bureau also gets the total across its stations."""
        from incidents.mediation import disputes_settled_summary

        counts = disputes_settled_summary(tenant_ids=[s.pk for s in stations], tz=self.tenant.zoneinfo)
        for station in stations:
            station.disputes_settled = counts[station.pk]
        ctx["disputes_settled"] = {
            key: sum(c[key] for c in counts.values()) for key in ("this_month", "last_month", "year")
        }


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
