"""Records: a volunteer's training record, a course's roster of holders, the station's
compliance (for the dashboards), and a certificate by its verification code. Each a fixed
number of queries, whatever the number of rows."""

import datetime
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jointdefense.tenancy.models import Tenant
from teams.models import Team, TeamMember, Volunteer, VolunteerRole

from ..errors import CertificateNotFound
from ..models import Certificate, Course, Enrolment
from .qualifications import (
    closure,
    covering_ids,
    inclusion_graph,
    required_courses,
    valid_certificates_q,
)

DUE_SOON = datetime.timedelta(days=30)


@dataclass
class TrainingRecord:
    volunteer: Volunteer
    when: datetime.datetime
    enrolments: list[Enrolment]  # with session and course, newest first
    valid: list[Certificate]
    expired: list[Certificate]
    revoked: list[Certificate]
    required: list[Course]
    missing: list[Course]
    due_soon: list[Certificate]  # valid, expiring within DUE_SOON and not renewed
    covered_ids: set[int] = field(default_factory=set)

    @property
    def certificates(self) -> list[Certificate]:
        return self.valid + self.expired + self.revoked

    @property
    def is_compliant(self) -> bool:
        return not self.missing


def certificate_state(certificate: Certificate, when: datetime.datetime) -> str:
    """ "valid", "expired", "revoked" or "not_yet" (issued in the future)."""
    if certificate.revoked_at is not None:
        return "revoked"
    if certificate.expires_at is not None and certificate.expires_at <= when:
        return "expired"
    if certificate.issued_at > when:
        return "not_yet"
    return "valid"


def training_record(volunteer: Volunteer, when: datetime.datetime | None = None) -> TrainingRecord:
    """What the volunteer took, passed, holds and needs. Five queries: enrolments, certificates,
    the volunteer's team types, the required courses, the inclusions."""
    when = when or timezone.now()
    # 1. enrolments (not withdrawn) with their sessions and courses
    enrolments = list(
        Enrolment.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("session", "session__course")
        .order_by("-session__starts_at", "pk")
    )
    # 2. certificates with their courses
    certificates = list(
        Certificate.objects.filter(tenant=volunteer.tenant_id, volunteer=volunteer)
        .select_related("course")
        .order_by("-issued_at", "pk")
    )
    # 3. + 4. the courses the volunteer's roles and teams need
    required = required_courses(volunteer)
    states = {c.pk: certificate_state(c, when) for c in certificates}
    valid = [c for c in certificates if states[c.pk] == "valid"]
    held = {c.course_id for c in valid}
    # 5. the inclusions (only when something is held)
    covered = closure(held, inclusion_graph(volunteer.tenant_id)) if held else set()
    lasting: dict[int, datetime.datetime | None] = {}
    for c in valid:  # the longest-lasting valid certificate of each course
        if (
            c.course_id not in lasting
            or lasting[c.course_id] is not None
            and (c.expires_at is None or c.expires_at > (lasting[c.course_id] or c.expires_at))
        ):
            lasting[c.course_id] = c.expires_at
    due_soon = [
        c
        for c in valid
        if c.expires_at is not None
        and c.expires_at <= when + DUE_SOON
        and lasting[c.course_id] == c.expires_at
    ]
    return TrainingRecord(
        volunteer=volunteer,
        when=when,
        enrolments=enrolments,
        valid=valid,
        expired=[c for c in certificates if states[c.pk] == "expired"],
        revoked=[c for c in certificates if states[c.pk] == "revoked"],
        required=required,
        missing=[c for c in required if c.pk not in covered],
        due_soon=sorted(due_soon, key=lambda c: c.expires_at or when),
        covered_ids=covered,
    )


@dataclass
class RosterRow:
    volunteer: Volunteer
    certificate: Certificate  # the holder's best certificate counting for the course
    is_valid: bool
    through: Course | None  # the including course, when the certificate is of another course


def course_roster(course: Course, when: datetime.datetime | None = None) -> list[RosterRow]:
    """Everyone holding a certificate that counts for ``course`` (its own, or of a course that
    includes it), valid ones first, then by name. Two queries: the inclusions, the certificates."""
    when = when or timezone.now()
    # 1. the inclusions: which courses count for this one
    counting = covering_ids(course.pk, inclusion_graph(course.tenant_id))
    # 2. their certificates with holders and courses
    best: dict[int, RosterRow] = {}
    for certificate in (
        Certificate.objects.filter(tenant=course.tenant_id, course_id__in=counting)
        .select_related("volunteer", "course")
        .order_by("-issued_at", "pk")
    ):
        row = RosterRow(
            volunteer=certificate.volunteer,
            certificate=certificate,
            is_valid=certificate.is_valid_at(when),
            through=certificate.course if certificate.course_id != course.pk else None,
        )
        current = best.get(certificate.volunteer_id)
        if current is None or (row.is_valid and not current.is_valid):
            best[certificate.volunteer_id] = row
    return sorted(best.values(), key=lambda r: (not r.is_valid, r.volunteer.full_name, r.volunteer.pk))


@dataclass
class ComplianceRow:
    key: str
    label: str
    compliant: int
    total: int

    @property
    def share(self) -> float | None:
        return self.compliant / self.total if self.total else None


@dataclass
class Compliance:
    when: datetime.datetime
    compliant: int
    total: int
    by_role: list[ComplianceRow]
    by_team: list[ComplianceRow]

    @property
    def share(self) -> float | None:
        """The share of active volunteers whose required certificates are all valid (None when the
        station has no active volunteer)."""
        return self.compliant / self.total if self.total else None


def compliance(tenant: Tenant, when: datetime.datetime | None = None) -> Compliance:
    """The share of the station's active volunteers whose required certificates are all valid
    (counting included courses), overall, per volunteer role and per active team. Four queries
    however many volunteers and certificates: the required courses, the inclusions, the active
    volunteers with their teams and valid certificates' courses (aggregated in SQL), the teams."""
    when = when or timezone.now()
    # 1. the offered courses someone needs
    courses = [
        (pk, set(roles), set(types))
        for pk, roles, types in Course.objects.filter(tenant=tenant, is_active=True).values_list(
            "pk", "required_for_roles", "required_for_team_types"
        )
        if roles or types
    ]
    # 2. the inclusions
    graph = inclusion_graph(tenant.pk)
    # 3. every active volunteer: roles, active teams, the courses of valid certificates
    volunteers = Volunteer.objects.filter(tenant=tenant, status=Volunteer.Status.ACTIVE).annotate(
        team_ids=ArraySubquery(
            TeamMember.objects.filter(tenant=tenant, volunteer=OuterRef("pk"), team__is_active=True).values(
                "team_id"
            )
        ),
        held_ids=ArraySubquery(
            Certificate.objects.filter(valid_certificates_q(when), tenant=tenant, volunteer=OuterRef("pk"))
            .values("course_id")
            .distinct()
        ),
    )
    rows = list(volunteers.values_list("roles", "team_ids", "held_ids"))
    # 4. the active teams
    teams = {
        pk: (name, type_)
        for pk, name, type_ in Team.objects.filter(tenant=tenant, is_active=True).values_list(
            "pk", "name", "type"
        )
    }
    closures: dict[frozenset[int], set[int]] = {}
    by_role = {role: [0, 0] for role in VolunteerRole.values}
    by_team = {pk: [0, 0] for pk in teams}
    total = compliant = 0
    for roles, team_ids, held_ids in rows:
        team_ids = [t for t in (team_ids or []) if t in teams]
        types = {teams[t][1] for t in team_ids}
        role_set = set(roles or [])
        key = frozenset(held_ids or [])
        if key not in closures:
            closures[key] = closure(key, graph)
        covered = closures[key]
        ok = all(pk in covered for pk, c_roles, c_types in courses if c_roles & role_set or c_types & types)
        total += 1
        compliant += ok
        for role in role_set:
            if role in by_role:
                by_role[role][0] += ok
                by_role[role][1] += 1
        for t in set(team_ids):
            by_team[t][0] += ok
            by_team[t][1] += 1
    labels = dict(VolunteerRole.choices)
    return Compliance(
        when=when,
        compliant=compliant,
        total=total,
        by_role=[ComplianceRow(r, str(labels[r]), c, n) for r, (c, n) in by_role.items() if n],
        by_team=sorted(
            (ComplianceRow(str(pk), teams[pk][0], c, n) for pk, (c, n) in by_team.items()),
            key=lambda row: row.label,
        ),
    )


def certificate_by_code(tenant: Tenant, code: str) -> Certificate:
    """The certificate a verification code names, with its course and holder, or
    CertificateNotFound (a clear, translated 404 on the page)."""
    certificate = (
        Certificate.objects.filter(tenant=tenant, code=code or "")
        .select_related("course", "volunteer")
        .first()
    )
    if certificate is None:
        raise CertificateNotFound(
            _("No certificate of this station has this code: check the link or the QR code.")
        )
    return certificate


def certificate_list(*, tenant: Tenant, volunteer: Volunteer | None, everyone: bool) -> QuerySet[Certificate]:
    """Certificates, newest first, with course and holder: all the station's (``everyone``: staff
    and bureau viewers), else the volunteer's own (none without a volunteer record)."""
    certificates = Certificate.objects.filter(tenant=tenant).select_related("course", "volunteer")
    if not everyone:
        certificates = certificates.filter(volunteer=volunteer) if volunteer else certificates.none()
    return certificates.order_by("-issued_at", "-pk")
