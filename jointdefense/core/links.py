"""The address of a station's list with a query, for the figures' links (``core.registry``): a
figure table builds a hundred or more, so each list's path is reversed once per station and kept."""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode


@functools.lru_cache(maxsize=4096)
def _station_path(name: str, slug: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, kwargs={"station": slug}, urlconf=urlconf)


def station_url(name: str, tenant, **query) -> str:
    """``/s/<station>/…/?<query>`` of the URL named ``name`` (a list's filters in ``query``; the
    ``?`` even without them, so a caller may add ``&…``)."""
    path = _station_path(name, tenant.slug, get_script_prefix(), get_urlconf())
    return path + "?" + urlencode(query, doseq=True)
