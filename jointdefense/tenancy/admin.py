"""The platform operator's admin: creating a station with its boundary, its communities and cells.
The middleware runs the admin with tenant scoping disabled (operators see every station)."""

from django.contrib import admin
from leaflet.admin import LeafletGeoAdminMixin
from modeltranslation.admin import TranslationAdmin

from . import services
from .models import Community, GridCell, Membership, Tenant


@admin.register(Tenant)
class TenantAdmin(LeafletGeoAdminMixin, TranslationAdmin):
    list_display = ("name", "slug", "kind", "parent", "time_zone", "default_language", "is_active")
    list_filter = ("kind", "is_active", "default_language")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    fields = (
        "name",
        "slug",
        "kind",
        "parent",
        "default_language",
        "time_zone",
        "phone_region",
        "boundary",
        "is_active",
    )

    def save_model(self, request, obj, form, change):
        services.tenant_save(actor=request.user, tenant=obj)


@admin.register(Community)
class CommunityAdmin(LeafletGeoAdminMixin, TranslationAdmin):
    list_display = ("name", "slug", "tenant", "households")
    list_filter = ("tenant",)
    search_fields = ("name", "slug")
    list_select_related = ("tenant",)


@admin.register(GridCell)
class GridCellAdmin(LeafletGeoAdminMixin, TranslationAdmin):
    list_display = ("code", "name", "community", "tenant")
    list_filter = ("tenant",)
    search_fields = ("code", "name")
    list_select_related = ("tenant", "community")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "tenant", "roles", "is_active")
    list_filter = ("tenant", "is_active")
    search_fields = ("user__username", "user__full_name")
    autocomplete_fields = ("user",)
    list_select_related = ("tenant", "user")
