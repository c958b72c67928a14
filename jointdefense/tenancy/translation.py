"""Translated names (django-modeltranslation): name_en and name_zh_hans columns."""

from modeltranslation.translator import TranslationOptions, register

from .models import Community, GridCell, Tenant


@register(Tenant)
class TenantTranslation(TranslationOptions):
    fields = ("name",)


@register(Community)
class CommunityTranslation(TranslationOptions):
    fields = ("name",)


@register(GridCell)
class GridCellTranslation(TranslationOptions):
    fields = ("name",)
