from django.conf import settings

from .navigation import navigation_for
from .selectors import membership_count_for_user, membership_list_for_user


def portal(request):
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "tenant": tenant,
        "nav": navigation_for(request),
        "my_memberships": lazy_memberships(user),
        "map_tiles_url": settings.MAP_TILES_URL,
        "map_attribution": settings.MAP_ATTRIBUTION,
    }


class lazy_memberships:  # noqa: N801 - used like a value in templates
    """Evaluated only when a template shows the station switcher."""

    def __init__(self, user):
        self.user = user
        self._items = None

    @property
    def several(self) -> bool:
        """Whether the user belongs to more than one active station (the switcher shows then):
        one small query of at most two ids, not the stations with their boundaries."""
        if self._items is not None:
            return len(self._items) > 1
        return membership_count_for_user(user=self.user, at_most=2) > 1

    def _load(self):
        if self._items is None:
            self._items = membership_list_for_user(user=self.user)
        return self._items

    def __iter__(self):
        return iter(self._load())

    def __len__(self):
        return len(self._load())

    def __bool__(self):
        return bool(self._load())
