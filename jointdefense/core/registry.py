"""Where the domain apps plug into the platform.

The platform (core, accounts, tenancy) imports no domain app. Each domain app registers what it
adds to the shared pages in its ``AppConfig.ready``:

* navigation entries (:class:`NavItem`), grouped by area, shown to whoever holds their permission;
* panels of the station and bureau overview pages (:class:`StationPanel`);
* demo seeders (:class:`DemoSeeder`), run in order by ``manage.py seed_demo``;
* activation checks (:class:`ActivationCheck`): what else a volunteer needs before the station
  activates them (the training app: the pre-job course), called by teams' screening.

* dashboard figures (:class:`Figure`): one number each for a period (``core.periods.Period``),
  computed by one selector of the app, with the list behind it; the chief's dashboard (and later the
  weekly summary and the bureau's side-by-side) compose them;
* dashboard maps (:class:`DashboardMap`): a heat layer and its breakdown table on the dashboard.

* weekly summary sections (:class:`SummarySection`): what the weekly station summary lists
  besides the figures (open cases past their deadline, shifts short of people, …), each the app's
  own selector; the summary freezes their rows when it is built.

* kept counts (:class:`KeptCount`): states an app counts per station and day (training
  compliance), refreshed after the writes that change them and rebuilt with the rollups.

* calendar sources (:class:`CalendarSource`): the events an app adds to a volunteer's or a team's
  calendar feed (patrols: shifts; training: sessions).

* team measures (:class:`TeamMeasure`): what teams (or volunteers) are ranked on for a period,
  across a bureau's stations or in one, computed by one grouped selector of the app (the rankings
  page and the dashboard's top teams and volunteers compose them).

Every registry keeps its entries sorted by ``order`` and replaces an entry registered again under
the same key, so a repeated ``ready()`` (tests, autoreload) never doubles anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def order(self) -> int: ...


T = TypeVar("T", bound=_Keyed)


class Registry(Generic[T]):
    """An ordered set of entries, one per key."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, T] = {}

    def register(self, *entries: T) -> None:
        for entry in entries:
            self._entries[entry.key] = entry

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._entries.values(), key=lambda e: (e.order, e.key)))

    def __len__(self) -> int:
        return len(self._entries)


# The areas of the staff navigation, in the order they are shown.
NAV_GROUPS: dict[str, Promise] = {
    "reports": _("Reports"),
    "patrols": _("Patrols"),
    "volunteers": _("Volunteers"),
    "training": _("Training"),
    "points": _("Points"),
    "station": _("Station"),
}


@dataclass(frozen=True)
class NavItem:
    """One entry of a station's navigation.

    ``permission`` is a key of the role table (``tenancy.roles.PERMISSIONS``), or ``"public"`` for
    a page anonymous residents use too; ``visible`` is a
    further check for entries a role holds only for some people (e.g. mediation volunteers).
    ``landing_for`` names the roles whose own landing page this is: it comes first in their menu.
    """

    url_name: str
    label: Promise | str
    permission: str
    group: str
    order: int = 100
    icon: str = ""
    visible: Callable[[Any, Any], bool] | None = None
    landing_for: frozenset[str] = frozenset()
    on_bureau: bool = True  # False: a station's own page, not shown in a bureau

    @property
    def key(self) -> str:
        return self.url_name


@dataclass(frozen=True)
class StationPanel:
    """A panel on the station overview (and, with ``bureau=True``, on the bureau overview).

    ``context(request, tenant, stations)`` returns the template context of the panel, or ``None``
    to leave it out; ``stations`` is ``[tenant]`` on a station and the bureau's stations on a bureau
    (each station object may be given attributes the bureau table shows).
    """

    key: str
    template: str
    permission: str
    context: Callable[[Any, Any, list[Any]], dict[str, Any] | None]
    order: int = 100
    station: bool = True
    bureau: bool = False


@dataclass(frozen=True)
class DemoOption:
    """A ``seed_demo`` command-line option a seeder reads (``--<name>``)."""

    name: str
    default: int
    help: str


@dataclass
class DemoStation:
    """What ``seed_demo`` hands each seeder for one station. ``main`` is the station whose demo
    logins and full data set are described in README; ``shared`` carries what one seeder leaves for
    a later one (the teams seeder leaves ``volunteers``)."""

    station: Any
    chief: Any
    officer: Any
    main: bool
    options: dict[str, Any]
    named_volunteers: list[tuple[Any, str | None]] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoSeeder:
    """Seeds one app's demo rows for one station; must be idempotent (natural keys)."""

    key: str
    seed: Callable[[DemoStation], None]
    order: int = 100
    options: tuple[DemoOption, ...] = ()
    # (label, count) pairs for the closing line of ``seed_demo``, counted over all stations
    summary: Callable[[], list[tuple[str, int]]] | None = None


@dataclass(frozen=True)
class ActivationCheck:
    """A condition of activating a volunteer that an app above teams adds (teams may not import
    it): ``refusal(volunteer)`` returns a translated sentence saying why the volunteer may not be
    activated yet, or None."""

    key: str
    refusal: Callable[[Any], str | None]
    order: int = 100


# the sections of the dashboard, in the order they are shown
FIGURE_GROUPS: dict[str, Promise] = {
    "reports": _("Reports"),
    "cases": _("Cases and return visits"),
    "patrols": _("Patrols"),
    "volunteers": _("Volunteers and points"),
    "training": _("Training"),
}

FIGURE_UNITS = ("count", "hours", "percent", "minutes", "days")


@dataclass(frozen=True)
class Figure:
    """One figure of the dashboard.

    ``compute(tenant, period)`` returns the number for the period (``int``, ``Decimal`` or
    ``float``; ``percent`` as 0..100), or ``None`` when there is nothing to count (a share of
    nothing); it must be one selector computed by the database (aggregates, never a loop over rows).
    ``link(tenant, period)`` is the URL of the list holding exactly the rows counted, filtered the
    same way. ``permission`` is a key of the role table: the figure shows only to those holding it.
    """

    key: str
    label: Promise | str
    group: str
    compute: Callable[[Any, Any], Any]
    permission: str = "station.view_dashboard"
    unit: str = "count"
    order: int = 100
    link: Callable[[Any, Any], str] | None = None
    link_permission: str = ""  # the list's own permission: the link shows only to its holders
    help: Promise | str = ""
    # ``series(tenant, period)``: the figure week by week over the period, ``{monday: value}`` for
    # each week that has one, in one grouped query; the dashboard draws it as a trend chart
    series: Callable[[Any, Any], dict[Any, Any]] | None = None
    # ``raw(tenant, period)``: the same number by plain GROUP BY queries over the rows themselves,
    # for a figure whose ``compute`` reads rollups (``core.rollups``): the tests hold the two equal
    # and ``make bench`` times one against the other
    raw: Callable[[Any, Any], Any] | None = None
    # ``pooled``: ``compute`` also takes a list of stations (ids) and gives the figure over all of
    # them as if they were one station (a share of their summed counts, a percentile of their
    # summed histogram): the bureau's total of a share or a time, which no sum of the stations'
    # figures gives
    pooled: bool = False

    def __post_init__(self) -> None:
        if self.unit not in FIGURE_UNITS:
            raise ValueError(f"unknown unit {self.unit!r} of figure {self.key}")
        if self.group not in FIGURE_GROUPS:
            raise ValueError(f"unknown group {self.group!r} of figure {self.key}")


navigation: Registry[NavItem] = Registry("navigation")
station_panels: Registry[StationPanel] = Registry("station panels")
demo_seeders: Registry[DemoSeeder] = Registry("demo seeders")
activation_checks: Registry[ActivationCheck] = Registry("activation checks")
figures: Registry[Figure] = Registry("figures")


@dataclass(frozen=True)
class DashboardMap:
    """A map of the dashboard (the incidents app: the reports' heat map), with its breakdown table.

    ``points(tenant, period)`` returns ``[lat, lng, weight]`` rows aggregated by the database into
    small cells (never an exact point), served as JSON so the page stays fast;
    ``breakdown(tenant, period)`` returns the table shown beside it: a list of sections, each
    ``{"key", "title", "rows": [{"label", "count", "url"}], "total_rows"}`` (``url``: the list
    holding exactly the rows counted), the busiest rows first; ``breakdown(tenant, period,
    limit=n)`` the first ``n`` rows of each section only, ``total_rows`` counting them all (the page
    shows the busiest, the CSV all of them). Shown to whoever holds ``permission``.
    """

    key: str
    title: Promise | str
    permission: str
    points: Callable[[Any, Any], list[list[float]]]
    breakdown: Callable[..., list[dict[str, Any]]]
    order: int = 100
    help: Promise | str = ""
    link_permission: str = ""  # the breakdown's lists' own permission: their links show only to its holders


dashboard_maps: Registry[DashboardMap] = Registry("dashboard maps")


# ---- the officer's desk ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskEntry:
    """One row of a desk section as the API gives it: what it is, when, where it leads, and
    whether it is urgent (an overdue case, a return visit past its date)."""

    id: int
    label: str
    detail: str
    url: str
    when: Any = None  # a datetime: reported, due, starts, received
    urgent: bool = False


@dataclass(frozen=True)
class DeskSection:
    """A section of the officer's desk (``tenancy:desk``), registered by the app that owns the rows.

    ``items(tenant, user)`` returns the section's rows in the order shown (a queryset, counted and
    cut by the desk in one query each, or a list); ``template`` renders one row on the page (given
    ``item`` and ``tenant``) and ``entry(item, tenant)`` describes it for the API;
    ``more_url(tenant)`` is the full list behind the section; ``empty`` the sentence shown when
    nothing waits. Shown to whoever holds ``permission`` in the station."""

    key: str
    title: Promise | str
    permission: str
    items: Callable[[Any, Any], Any]
    template: str
    more_url: Callable[[Any], str]
    entry: Callable[[Any, Any], DeskEntry]
    empty: Promise | str
    order: int = 100


desk_sections: Registry[DeskSection] = Registry("desk sections")


# ---- rollups ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RollupSource:
    """Where the rollups of some series (``core.rollups``, keys starting with ``prefix``) come
    from, for ``manage.py rebuild_rollups``: ``rows(tenant)`` yields ``(key, dimension, day, count,
    total)`` for every series under ``prefix``, grouped by the database from the app's rows (the
    station's local day of each row). The app's services keep the same rows up to date as they
    write; a rebuild gives what they would have written."""

    prefix: str
    rows: Callable[[Any], Any]
    order: int = 100

    @property
    def key(self) -> str:
        return self.prefix


rollup_sources: Registry[RollupSource] = Registry("rollup sources")


@dataclass(frozen=True)
class KeptCount:
    """A count an app keeps of a state at a moment, per station and local day (the training app:
    how many active volunteers hold every certificate they need), which no sum of daily rollups
    gives: a state changes by the clock (a certificate lapses) as well as by writes.

    ``task`` names the app's Celery task (taking ``tenant_id``) that counts the station's today
    again; ``core.services.kept_counts_changed(tenant)`` queues it after the commit of a write
    that may change the state, also from an app below the one keeping the count (teams, for the
    volunteers' status and teams). ``rebuild(tenant)`` counts the station again from its rows, for
    ``manage.py rebuild_rollups`` and ``seed_demo`` (it returns how many days it counted)."""

    key: str
    task: str
    rebuild: Callable[[Any], int]
    order: int = 100


kept_counts: Registry[KeptCount] = Registry("kept counts")


# ---- the weekly station summary ---------------------------------------------------------------------

SUMMARY_COLUMN_KINDS = ("text", "count", "date", "datetime")


@dataclass(frozen=True)
class SummaryColumn:
    """One column of a summary section's table: ``key`` of the row's value, its heading, and how
    the value is written (``datetime`` and ``date``: ISO text, shown in the station's time zone)."""

    key: str
    label: Promise | str
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in SUMMARY_COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} of {self.key}")


@dataclass(frozen=True)
class SummarySection:
    """A section of the weekly station summary (``tenancy.summaries``), registered by the app that
    owns the rows.

    ``items(stations, as_of)`` returns a queryset of the rows of ``stations`` (a batch of station
    ids), the most urgent first, as things stood at ``as_of`` (the end of the summarised week, an
    aware datetime); the summary counts and cuts each station's in the database (one query for the
    batch, whatever the rows: its ordering is each station's). ``row(item, tenant)``
    turns one into a JSON-serialisable dict with a value for each of ``columns`` and ``url`` (the
    row's page, a path). The summary stores the rows, so an archived summary never changes."""

    key: str
    title: Promise | str
    items: Callable[[Any, Any], Any]
    row: Callable[[Any, Any], dict[str, Any]]
    columns: tuple[SummaryColumn, ...]
    empty: Promise | str
    order: int = 100


summary_sections: Registry[SummarySection] = Registry("summary sections")
# ---- rankings: team (and volunteer) measures ------------------------------------------------------

RANKED_SUBJECTS: dict[str, Promise] = {"team": _("Teams"), "volunteer": _("Volunteers")}


@dataclass(frozen=True)
class Ranked:
    """One team's (or volunteer's) value of a measure: who, in which station, how much."""

    id: int
    name: str
    tenant_id: int
    value: Any


@dataclass(frozen=True)
class TeamMeasure:
    """A measure teams (``subject="team"``) or volunteers (``"volunteer"``) are ranked on.

    ``compute(tenant_ids, period)`` returns a :class:`Ranked` for each team or volunteer of those
    stations with a value in the period (in any order), from one grouped query of the app (GROUP BY
    the team or volunteer, never a loop over rows); ``link(tenant, id)`` is the team's or
    volunteer's page, shown to holders of ``link_permission``. ``on_dashboard``: one of the chief's
    dashboard's top fives. ``permission`` is a key of the role table, checked in the station (or the
    bureau) ranked. ``takes_top``: ``compute`` also takes ``top=n`` and may then leave out every row
    below the ``n``-th best value (the rows tied with it kept), so that a ranking of thousands of
    volunteers reads the names of its places only.
    """

    key: str
    label: Promise | str
    unit: str
    compute: Callable[[Any, Any], list[Ranked]]
    subject: str = "team"
    order: int = 100
    link: Callable[[Any, int], str] | None = None
    link_permission: str = ""
    permission: str = "station.view_dashboard"
    help: Promise | str = ""
    on_dashboard: bool = False
    takes_top: bool = False

    def __post_init__(self) -> None:
        if self.unit not in FIGURE_UNITS:
            raise ValueError(f"unknown unit {self.unit!r} of team measure {self.key}")
        if self.subject not in RANKED_SUBJECTS:
            raise ValueError(f"unknown subject {self.subject!r} of team measure {self.key}")


team_measures: Registry[TeamMeasure] = Registry("team measures")


@dataclass(frozen=True)
class CalendarEntry:
    """One event of a calendar feed: a shift, a training session. ``uid`` stays the same for the
    same shift or session in every feed and every fetch (a calendar updates the event it has);
    times are aware; ``path`` is the portal's page of it; a cancelled one stays in the feed as
    cancelled, so that calendars that have it mark it so."""

    uid: str
    starts_at: Any
    ends_at: Any
    summary: str
    location: str = ""
    description: str = ""
    path: str = ""
    cancelled: bool = False
    geo: tuple[float, float] | None = None  # (latitude, longitude)


@dataclass(frozen=True)
class CalendarSource:
    """What an app adds to the calendar feeds (``teams.CalendarFeed``): ``for_volunteer(volunteer,
    since, until)`` the volunteer's own events (their shifts, their training sessions), and
    ``for_team(team, since, until)`` a team's (its shifts), each one query of the app's selectors."""

    key: str
    for_volunteer: Callable[[Any, Any, Any], list[CalendarEntry]] | None = None
    for_team: Callable[[Any, Any, Any], list[CalendarEntry]] | None = None
    order: int = 100


calendar_sources: Registry[CalendarSource] = Registry("calendar sources")
