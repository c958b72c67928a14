"""Factories that keep the tenant consistent: a grid cell's community is in the cell's station,
a community lies inside its station's boundary."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.utils import timezone

from jointdefense.core import rollups
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
    from incidents.services import reports as incident_services

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


# --- incidents ---------------------------------------------------------------------------------------


import io  # noqa: E402

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.urls import reverse  # noqa: E402
from PIL import Image  # noqa: E402

from incidents.models import Category, Mediation, Report  # noqa: E402
from incidents.services.mediation import mediation_open  # noqa: E402
from incidents.services.reports import report_submit  # noqa: E402


def report_point_inside(station, dx=0.005, dy=0.005):
    """A point in the south-west corner of the station (where community_a lies), as the report
    page's hidden fields carry it."""
    x, y = station.boundary.extent[:2]
    return {"lat": f"{y + dy:.6f}", "lng": f"{x + dx:.6f}"}


def report_category(station, slug="hazard"):
    with scopes_disabled():
        return Category.objects.get(tenant=station, slug=slug)


def report_form_data(station, **overrides):
    """The report page's fields, as a resident fills them in; an override of None drops the field."""
    data = {
        "category": report_category(station).pk,
        "description": "The street light at the gate is out.",
        **report_point_inside(station),
        "contact_name": "Ms Li",
        "contact_phone": "13800001111",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def report_filed(station, *, slug="hazard", dx=0.005, dy=0.005, at=None, **fields):
    """A report filed through incidents' report_submit at a point inside the station (or ``at``)."""
    point = report_point_inside(station, dx, dy) if at is None else {"lat": at.y, "lng": at.x}
    with scope(tenant=station):
        return report_submit(
            tenant=station,
            category=report_category(station, slug),
            description=fields.pop("description", "Open manhole by the school gate."),
            lat=point["lat"],
            lng=point["lng"],
            **fields,
        )


def report_fresh(report):
    """The report as the database has it now."""
    with scopes_disabled():
        return Report.objects.get(pk=report.pk)


def jpeg_with_gps(name="street.jpg", size=(640, 480)):
    """A JPEG carrying EXIF with a GPS position and a camera model, as phones write them."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "Phone Model X"  # camera model
    exif[0x8825] = {1: "N", 2: (30.0, 0.0, 18.0), 3: "E", 4: (100.0, 0.0, 18.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def incidents_url(name, station, **kwargs):
    return reverse(f"incidents:{name}", kwargs={"station": station.slug, **kwargs})


def case_action(client, report, action, **data):
    """Post one action of a report's case page, its fields prefixed as the page's forms are."""
    url = incidents_url("case", report.tenant, pk=report.pk)
    return client.post(url, {"action": action, **{f"{action}-{k}": v for k, v in data.items()}})


def tracking_page(client, report):
    """The reporter's tracking page of ``report``, as text."""
    return client.get(incidents_url("track", report.tenant, code=report.tracking_code)).content.decode()


def mediation_opened(station, actor, **kwargs):
    """A mediation opened through incidents' mediation_open (mediated by ``actor`` unless told)."""
    values = {"kind": "neighbours", "summary": "Water leaking from the flat above.", **kwargs}
    if "mediator_volunteer" not in values and "mediator_officer" not in values:
        values["mediator_officer"] = actor
    with scope(tenant=station):
        return mediation_open(tenant=station, actor=actor, **values)


def dispute_report(station, community, slug="dispute"):
    """A report of a dispute in ``community``, written straight to the database."""
    with scope(tenant=station):
        return Report.objects.create(
            tenant=station,
            tracking_code=f"DISP{Report.objects.count():06d}",
            category=Category.objects.get(tenant=station, slug=slug),
            description="Neighbours quarrelling over parking spaces.",
            location=community.boundary.centroid,
            public_location=community.boundary.centroid,
            community=community,
        )


def mediation_count(station, model=None):
    """How many mediations (or rows of ``model``) the station has."""
    with scope(tenant=station):
        return (model or Mediation).objects.filter(tenant=station).count()


# --- patrols ---


MINUTE = datetime.timedelta(minutes=1)


def at(checkpoint, metres_east=0.0):
    """A point ``metres_east`` of the checkpoint."""
    import math

    dx = metres_east / (111_320 * math.cos(math.radians(checkpoint.location.y)))
    return {"lat": checkpoint.location.y, "lng": checkpoint.location.x + dx}


def check_in(volunteer, checkpoint, when, client_id=None, **extra):
    """A check-in of ``volunteer`` at ``checkpoint`` at ``when`` through the service (at the
    checkpoint, 8 m accuracy, unless told)."""
    import uuid

    from django_scopes import scope

    from patrols.services.field import check_in_submit

    position = extra.pop("position", at(checkpoint))
    with scope(tenant=volunteer.tenant):
        return check_in_submit(
            volunteer=volunteer,
            qr_token=checkpoint.qr_token,
            client_id=client_id or uuid.uuid4(),
            device_time=when,
            **position,
            accuracy_m=extra.pop("accuracy_m", 8),
            **extra,
        )


def monday():
    """The Monday of the current (local) week."""
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday())


# --- training ----------------------------------------------------------------------------------------

from training.models import Course, Enrolment, TrainingSession  # noqa: E402
from training.services import certificates as training_certificates  # noqa: E402


class CourseFactory(factory.django.DjangoModelFactory):
    """A regular course, assessed by attendance, valid for 12 months, required of nobody."""

    class Meta:
        model = Course

    tenant = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"Course {n}")
    kind = Course.Kind.REGULAR
    topic = "security_patrol"
    assessment = Course.Assessment.ATTENDANCE
    valid_months = 12


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    """A two-hour session of the course in three days, at a named place near the station's corner,
    with 10 places."""

    class Meta:
        model = TrainingSession

    course = factory.SubFactory(CourseFactory)
    tenant = factory.SelfAttribute("course.tenant")
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    )
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=2))
    place_name = "Community hall"
    capacity = 10


def certificate_for(volunteer, course, *, issued_at=None, expires_at=None, **fields):
    """A certificate of ``course`` for ``volunteer``, issued through the service (``expires_at``
    overrides the course's validity, for lapsed and soon-lapsing ones)."""
    with scope(tenant=volunteer.tenant):
        certificate = training_certificates.certificate_issue(
            volunteer=volunteer, course=course, issued_at=issued_at
        )
        if expires_at is not None or fields:
            if expires_at is not None:
                certificate.expires_at = expires_at
            for name, value in fields.items():
                setattr(certificate, name, value)
            certificate.save()
    return certificate


def enrolled(session, volunteer, **fields):
    """An enrolment made directly (for sessions in the past, which the service refuses)."""
    with scope(tenant=session.tenant):
        return Enrolment.objects.create(
            tenant=session.tenant, session=session, volunteer=volunteer, enrolled_at=timezone.now(), **fields
        )


def training_volunteer(station, officer, name, **fields):
    """An active volunteer with an account named ``name`` (and an e-mail address)."""
    user = UserFactory(username=name, full_name=name.title())
    return active_volunteer(station, officer, user=user, full_name=name.title(), **fields)


# the pages' and API's tests build rows directly (no rules checked), in a few words


def course_made(tenant, name="Patrol basics", **fields):
    """A course of ``tenant`` (attendance only, no expiry, unless told)."""
    with scope(tenant=tenant):
        return Course.objects.create(
            tenant=tenant, name=name, topic=fields.pop("topic", "security_patrol"), **fields
        )


def session_made(course, *, starts_in=datetime.timedelta(days=3), hours=2, capacity=10, **fields):
    """A session of ``course`` at a named place, ``starts_in`` from now."""
    starts = timezone.now() + starts_in
    fields.setdefault("place_name", "Community hall")
    with scope(tenant=course.tenant):
        return TrainingSession.objects.create(
            tenant=course.tenant,
            course=course,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=hours),
            capacity=capacity,
            **fields,
        )


def certificate_made(volunteer, course, **fields):
    """A certificate written directly (``certificate_for`` goes through the service)."""
    from training.models import Certificate

    with scope(tenant=volunteer.tenant):
        return Certificate.objects.create(
            tenant=volunteer.tenant, volunteer=volunteer, course=course, **fields
        )


# --- figures and rankings ------------------------------------------------------------------------------


def patrol_walked(volunteer, route, starts_at, check_ins, *, team=None, hours=4):
    """A shift of ``team`` on ``route`` from ``starts_at`` for ``hours`` hours and an ended patrol
    of ``volunteer`` on it, with check-ins ``check_ins``: (hours after the start, checkpoint,
    review) tuples (review "ok" when left out). Written straight to the tables, like old rows (the
    checkpoints planned: the route's in use, as ``patrol_start`` and the migration give them)."""
    import uuid

    from patrols.models import CheckIn, Checkpoint, Patrol

    station = route.tenant
    with scopes_disabled():
        shift = ShiftFactory(
            route=route, team=team, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=hours)
        )
        patrol = Patrol.objects.create(
            tenant=station,
            shift=shift,
            route=route,
            volunteer=volunteer,
            started_at=starts_at,
            status=Patrol.Status.ENDED,
            ended_at=shift.ends_at,
            checkpoints_planned=Checkpoint.objects.filter(route=route, is_active=True).count(),
        )
        for after, checkpoint, *review in check_ins:
            CheckIn.objects.create(
                tenant=station,
                patrol=patrol,
                checkpoint=checkpoint,
                client_id=uuid.uuid4(),
                device_time=starts_at + datetime.timedelta(hours=after),
                review=review[0] if review else "ok",
            )
    rollups.rebuild(station, ["patrols."])
    return patrol


def points_given(volunteer, points, when, kind="award", **fields):
    """A line of ``volunteer``'s points ledger at ``when``, written straight to the table (a
    correction gives ``reverses``), then counted into the station's rollups as a rebuild would."""
    import uuid

    from teams.models import PointEntry

    with scopes_disabled():
        entry = PointEntry.objects.create(
            tenant_id=volunteer.tenant_id,
            volunteer=volunteer,
            kind=kind,
            points=points,
            idempotency_key=f"test:{uuid.uuid4()}",
            created_at=when,
            **fields,
        )
        rollups.rebuild(volunteer.tenant, ["teams.points"])
    return entry


def team_with(station, name, *volunteers):
    """A team of ``station`` with ``volunteers`` as members."""
    from teams.models import TeamMember

    with scopes_disabled():
        team = TeamFactory(tenant=station, name=name)
        for volunteer in volunteers:
            TeamMember.objects.create(tenant=station, team=team, volunteer=volunteer)
    return team
