"""The address of a station's list with a query, for the figures' links (``core.registry``): a
figure table builds a hundred or more, so each list's path is reversed once per station and kept,
and the query's words (the same few filter names, dates and values in every link) are quoted once
and kept."""

import functools
from urllib.parse import quote_plus

from django.urls import get_script_prefix, get_urlconf, reverse


@functools.lru_cache(maxsize=4096)
def _station_path(name: str, slug: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, kwargs={"station": slug}, urlconf=urlconf)


@functools.lru_cache(maxsize=8192)
def _quoted(text: str) -> str:
    return quote_plus(text)


def query_string(query: dict) -> str:
    """``django.utils.http.urlencode(query, doseq=True)``: a list or tuple value gives the name
    once for each of its items."""
    pairs = []
    for name, value in query.items():
        if value is None:
            raise TypeError(f"Cannot encode None for key '{name}' in a query string.")
        for item in value if isinstance(value, list | tuple) else (value,):
            pairs.append(_quoted(str(name)) + "=" + _quoted(str(item)))
    return "&".join(pairs)


def station_url(name: str, tenant, **query) -> str:
    """``/s/<station>/…/?<query>`` of the URL named ``name`` (a list's filters in ``query``; the
    ``?`` even without them, so a caller may add ``&…``)."""
    path = _station_path(name, tenant.slug, get_script_prefix(), get_urlconf())
    return path + "?" + query_string(query)
