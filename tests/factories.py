"""Factories that keep the tenant consistent: a grid cell's community is in the cell's station,
a community lies inside its station's boundary."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.utils import timezone

from jointdefense.tenancy.models import Community, GridCell, Membership, Role, Tenant


def square(x, y, size):
    return Polygon(((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)), srid=4326)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class BureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    kind = Tenant.Kind.BUREAU
    name = factory.Sequence(lambda n: f"Bureau {n}")
    slug = factory.Sequence(lambda n: f"bureau-{n}")


class StationFactory(factory.django.DjangoModelFactory):
    """A 0.1° square station; each new station sits 1° east (then north) of the previous one."""

    class Meta:
        model = Tenant

    kind = Tenant.Kind.STATION
    name = factory.Sequence(lambda n: f"Station {n}")
    name_en = factory.SelfAttribute("name")
    slug = factory.Sequence(lambda n: f"station-{n}")
    time_zone = "Asia/Shanghai"
    # stations never overlap within a test, and stay valid coordinates however long the session runs
    boundary = factory.Sequence(
        lambda n: MultiPolygon(square(100 + n % 60, 10 + (n // 60) % 60, 0.1), srid=4326)
    )


class CommunityFactory(factory.django.DjangoModelFactory):
    """A community in the south-west corner of its station (0.01° steps along the edge)."""

    class Meta:
        model = Community

    tenant = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"Community {n}")
    name_en = factory.SelfAttribute("name")
    slug = factory.Sequence(lambda n: f"community-{n}")
    households = 1200

    @factory.lazy_attribute
    def boundary(self):
        x, y = self.tenant.boundary.extent[:2]
        index = Community.objects.with_scopes_disabled().filter(tenant=self.tenant).count()
        return square(x + 0.01 * (index % 9), y + 0.01 * (index // 9), 0.01)


class GridCellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridCell

    community = factory.SubFactory(CommunityFactory)
    tenant = factory.SelfAttribute("community.tenant")
    code = factory.Sequence(lambda n: f"G-{n:03d}")
    name = factory.Sequence(lambda n: f"Grid {n}")
    name_en = factory.SelfAttribute("name")
    boundary = factory.LazyAttribute(lambda c: c.community.boundary.clone())


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(StationFactory)
    user = factory.SubFactory(UserFactory)
    roles = factory.LazyFunction(lambda: [Role.VOLUNTEER])


def member(tenant, *roles, username=None, **user_fields):
    """A user holding ``roles`` in ``tenant``."""
    user = UserFactory(**({"username": username} if username else {}), **user_fields)
    MembershipFactory(tenant=tenant, user=user, roles=list(roles))
    return user


# ---- volunteers and teams ---------------------------------------------------------------------------


from django_scopes import scope  # noqa: E402

from teams.models import Team, Volunteer  # noqa: E402
from teams.services import screening as team_screening  # noqa: E402
from teams.services import volunteers as team_volunteers  # noqa: E402
from teams.validators import resident_id_checksum  # noqa: E402


def resident_id(n: int) -> str:
    """A valid 18-character resident ID number, different for each n."""
    first17 = f"410105198{n % 10}0101{n:04d}"[:17]
    return first17 + resident_id_checksum(first17)


def station_defaults(station):
    from incidents import services as incident_services

    with scope(tenant=station):
        team_volunteers.station_defaults_ensure(tenant=station)
        incident_services.station_defaults_ensure(tenant=station)
    return station


class VolunteerFactory(factory.django.DjangoModelFactory):
    """An application (status "applied"); see ``active_volunteer`` for a screened one."""

    class Meta:
        model = Volunteer

    tenant = factory.SubFactory(StationFactory)
    user = factory.SubFactory(UserFactory)
    full_name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
    id_number = factory.Sequence(resident_id)
    emergency_contact_name = "Family Contact"
    emergency_contact_phone = "13900000000"
    consented_to_review_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
    roles = factory.LazyFunction(lambda: ["patrol"])
    availability = factory.LazyFunction(lambda: ["sat_morning", "sun_morning"])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Through the real application service (so the screening trail starts as it does live)."""
        roles = kwargs.pop("roles", [])
        kwargs.pop("consented_to_review_at", None)
        with scope(tenant=kwargs["tenant"]):
            volunteer = team_volunteers.volunteer_apply(consent=True, **kwargs)
            if roles:
                volunteer = team_volunteers.volunteer_classify(volunteer=volunteer, actor=None, roles=roles)
        return volunteer


def active_volunteer(tenant, officer, **fields):
    """A volunteer taken through the real screening flow: applied, reviewed, approved, active."""
    with scope(tenant=tenant):
        volunteer = VolunteerFactory(tenant=tenant, **fields)
        team_screening.background_review_record(
            volunteer=volunteer, actor=officer, result="passed", reviewed_on=datetime.date(2026, 1, 5)
        )
        team_screening.volunteer_approve(volunteer=volunteer, actor=officer)
        team_screening.volunteer_activate(volunteer=volunteer, actor=officer)
        volunteer.refresh_from_db()
    return volunteer


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    tenant = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"Patrol Team {n}")
    type = Team.Type.COMMUNITY_PATROL


# --- teams ---

from django_scopes import scopes_disabled  # noqa: E402

from teams.services.points import points_award  # noqa: E402


def roles_of(user, tenant) -> set:
    """The station roles ``user`` holds in ``tenant`` (none without an active membership)."""
    with scopes_disabled():
        membership = Membership.objects.filter(tenant=tenant, user=user, is_active=True).first()
    return set(membership.roles) if membership else set()


def award_points(volunteer, key, kind="patrol_hour", quantity=1):
    """Points for ``volunteer`` through the service (inside the station's scope): (entry, created)."""
    return points_award(
        tenant=volunteer.tenant, volunteer=volunteer, kind=kind, idempotency_key=key, quantity=quantity
    )


# patrols ------------------------------------------------------------------------------------------


def station_origin(station):
    """The south-west corner of a station's square boundary (factories' stations are 0.1° squares)."""
    x0, y0, _x1, _y1 = station.boundary.extent
    return x0, y0


class RouteFactory(factory.django.DjangoModelFactory):
    """A straight route about 1.1 km long, near the south-west corner of its station."""

    class Meta:
        model = "patrols.Route"

    tenant = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"Route {n}")
    tier = "community"
    path = factory.LazyAttribute(
        lambda r: LineString(
            (station_origin(r.tenant)[0] + 0.02, station_origin(r.tenant)[1] + 0.02),
            (station_origin(r.tenant)[0] + 0.03, station_origin(r.tenant)[1] + 0.02),
            srid=4326,
        )
    )


class CheckpointFactory(factory.django.DjangoModelFactory):
    """Checkpoints along the route, 0.002° (about 200 m) apart, in order."""

    class Meta:
        model = "patrols.Checkpoint"

    route = factory.SubFactory(RouteFactory)
    tenant = factory.SelfAttribute("route.tenant")
    name = factory.Sequence(lambda n: f"Checkpoint {n}")
    position = factory.Sequence(lambda n: n % 30000 + 1)
    location = factory.LazyAttribute(
        lambda c: Point(c.route.path[0][0] + 0.002 * (c.position % 5), c.route.path[0][1], srid=4326)
    )
    radius_m = 50


class ShiftFactory(factory.django.DjangoModelFactory):
    """A four-hour shift starting in an hour."""

    class Meta:
        model = "patrols.Shift"

    route = factory.SubFactory(RouteFactory)
    tenant = factory.SelfAttribute("route.tenant")
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
    )
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=4))
    headcount = 2
