"""Writes of volunteers: a station's set-up (background groups, point rules), applications (with the
account of a visitor who has none) and classification.

Each function is one atomic, audited action taking keyword arguments and an explicit ``actor``.
"""

import re
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jointdefense.accounts.models import User
from jointdefense.core import rollups
from jointdefense.core.services import audit, kept_counts_changed
from jointdefense.tenancy.models import Community, Tenant

from ..errors import ScreeningError
from ..models import (
    AVAILABILITY_SLOTS,
    DEFAULT_BACKGROUND_GROUPS,
    DEFAULT_POINT_RULES,
    BackgroundGroup,
    PointRule,
    ScreeningEvent,
    Volunteer,
    VolunteerRole,
)
from ..selectors.rollups import APPLICATIONS

S = Volunteer.Status


def phone_username(phone: str) -> str:
    """The account name of a volunteer who registers by phone: the phone number's digits."""
    return re.sub(r"\D", "", phone or "")


# ---- station set-up -----------------------------------------------------------------------------


def station_defaults_ensure(*, tenant: Tenant) -> None:
    """Give a station the background groups and point rules the field reports use (idempotent)."""
    for position, (slug, label) in enumerate(DEFAULT_BACKGROUND_GROUPS):
        with translation.override(tenant.default_language):
            BackgroundGroup.objects.get_or_create(
                tenant=tenant, slug=slug, defaults={"name": str(label), "position": position}
            )
    for kind, base, factor in DEFAULT_POINT_RULES:
        PointRule.objects.get_or_create(
            tenant=tenant, kind=kind, defaults={"base_points": base, "difficulty_factor": factor}
        )


# ---- applications -------------------------------------------------------------------------------


def volunteer_apply(
    *,
    tenant: Tenant,
    user: User | None = None,
    password: str | None = None,
    full_name: str,
    phone: str,
    id_number: str,
    home_community: Community | None = None,
    background_group: BackgroundGroup | None = None,
    specialties: Iterable[str] = (),
    availability: Iterable[str] = (),
    emergency_contact_name: str,
    emergency_contact_phone: str,
    consent: bool,
) -> Volunteer:
    """A person's application to volunteer at ``tenant``. ``user`` is their account; a visitor
    without one gives a ``password`` instead and gets an account named by the phone number's digits,
    in the same transaction as the application (nothing is created when the application is refused).
    A concurrent application or registration with the same phone number that wins the race makes
    this one a ScreeningError (code "phone_taken")."""
    try:
        with transaction.atomic():
            if password is not None:
                user = _account_create(phone=phone, password=password, full_name=full_name)
            if user is None:
                raise TypeError("volunteer_apply needs the applicant's user or a password for a new account")
            return _volunteer_apply(
                tenant=tenant,
                user=user,
                full_name=full_name,
                phone=phone,
                id_number=id_number,
                home_community=home_community,
                background_group=background_group,
                specialties=specialties,
                availability=availability,
                emergency_contact_name=emergency_contact_name,
                emergency_contact_phone=emergency_contact_phone,
                consent=consent,
            )
    except IntegrityError:
        raise ScreeningError(
            _("This phone number was registered a moment ago. Log in, or use another number."),
            code="phone_taken",
        ) from None


def _account_create(*, phone: str, password: str, full_name: str) -> User:
    user: User = get_user_model().objects.create_user(
        username=phone_username(phone),
        password=password,
        full_name=full_name.strip(),
        phone=phone,
    )
    return user


def _volunteer_apply(
    *,
    tenant: Tenant,
    user: User,
    full_name: str,
    phone: str,
    id_number: str,
    home_community: Community | None,
    background_group: BackgroundGroup | None,
    specialties: Iterable[str],
    availability: Iterable[str],
    emergency_contact_name: str,
    emergency_contact_phone: str,
    consent: bool,
) -> Volunteer:
    if not consent:
        raise ScreeningError(_("Volunteering needs your consent to a background review."), field="consent")
    availability = list(availability)
    unknown = set(availability) - set(AVAILABILITY_SLOTS)
    if unknown:
        raise ScreeningError(
            _("Unknown availability: %(slots)s") % {"slots": ", ".join(sorted(unknown))}, field="availability"
        )
    if Volunteer.objects.filter(tenant=tenant, user=user).exists():
        raise ScreeningError(_("You have already applied to volunteer at this station."), code="duplicate")
    volunteer = Volunteer(
        tenant=tenant,
        user=user,
        full_name=full_name.strip(),
        phone=phone.strip(),
        id_number=id_number.strip().upper(),
        home_community=home_community,
        background_group=background_group,
        specialties=sorted(set(specialties)),
        availability=sorted(set(availability)),
        emergency_contact_name=emergency_contact_name.strip(),
        emergency_contact_phone=emergency_contact_phone.strip(),
        consented_to_review_at=timezone.now(),
        status=S.APPLIED,
    )
    volunteer.full_clean()
    volunteer.save()
    rollups.bump(tenant, APPLICATIONS, volunteer.applied_at)
    ScreeningEvent.objects.create(
        tenant=tenant, volunteer=volunteer, actor=user, from_status="", to_status=S.APPLIED
    )
    audit(tenant=tenant, actor=user, action="volunteer.applied", target=volunteer)
    return volunteer


def volunteer_locked(volunteer: Volunteer) -> Volunteer:
    """The volunteer's row again, locked for the rest of the transaction."""
    return (
        Volunteer.objects.select_for_update(of=("self",))
        .select_related("tenant", "user")
        .get(pk=volunteer.pk, tenant=volunteer.tenant_id)
    )


# ---- classification -----------------------------------------------------------------------------


@transaction.atomic
def volunteer_classify(*, volunteer: Volunteer, actor: User | None, roles: Iterable[str]) -> Volunteer:
    roles = list(roles)
    unknown = set(roles) - set(VolunteerRole.values)
    if unknown:
        raise ScreeningError(
            _("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(unknown))}, field="roles"
        )
    volunteer = volunteer_locked(volunteer)
    volunteer.roles = sorted(set(roles))
    volunteer.save(update_fields=["roles"])
    audit(
        tenant=volunteer.tenant,
        actor=actor,
        action="volunteer.classified",
        target=volunteer,
        roles=volunteer.roles,
    )
    if volunteer.status == Volunteer.Status.ACTIVE:
        kept_counts_changed(volunteer.tenant)  # the courses their roles need
    return volunteer


# ---- the volunteer's e-mail ------------------------------------------------------------------------


@transaction.atomic
def volunteer_email_set(*, volunteer: Volunteer, actor: User, email: str) -> User:
    """Set the e-mail of the volunteer's account (by the volunteer on their own page, or by an
    officer on the record): reminders, alerts and password resets go there. The address must be
    valid and not another account's (a password reset goes to every account with the address)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    if volunteer.user_id is None:
        raise ScreeningError(_("This volunteer has no account to send e-mail to."), code="no_account")
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ScreeningError(
            _("Enter a valid e-mail address, for example name@example.org."), field="email", code="email"
        ) from None
    email = get_user_model().objects.normalize_email(email)
    user = User.objects.select_for_update().get(pk=volunteer.user_id)
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ScreeningError(
            _("Another account uses this e-mail address. Enter an address of your own."),
            field="email",
            code="email_taken",
        )
    if user.email != email:
        user.email = email
        user.save(update_fields=["email"])
        audit(tenant=volunteer.tenant, actor=actor, action="volunteer.email_set", target=volunteer)
    return user
