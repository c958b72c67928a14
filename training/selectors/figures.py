"""The training app's dashboard figure (``core.registry.figures``, registered in ``apps.py``):
training compliance, one SQL aggregate (``records.compliance`` computes the same share with its
breakdowns, for the compliance page)."""

import datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from jointdefense.core.periods import Period
from jointdefense.tenancy.models import Tenant

# Active volunteers, and of them those holding, at %(when)s, a valid certificate (or one of a
# course including it, transitively) of every offered course their roles or their active teams'
# types need. One statement: a recursive CTE closes the held courses over the inclusions.
COMPLIANCE_SQL = """
WITH RECURSIVE held(volunteer_id, course_id) AS (
    SELECT c.volunteer_id, c.course_id
    FROM training_certificate c JOIN teams_volunteer v ON v.id = c.volunteer_id
    WHERE c.tenant_id = %(tenant)s AND v.tenant_id = %(tenant)s AND v.status = 'active'
      AND c.revoked_at IS NULL AND c.issued_at <= %(when)s
      AND (c.expires_at IS NULL OR c.expires_at > %(when)s)
  UNION
    SELECT h.volunteer_id, i.included_id
    FROM held h JOIN training_courseinclusion i ON i.course_id = h.course_id AND i.tenant_id = %(tenant)s
),
volunteers AS (
    SELECT v.id, v.roles, ARRAY(
        SELECT t.type FROM teams_teammember m JOIN teams_team t ON t.id = m.team_id
        WHERE m.tenant_id = %(tenant)s AND m.volunteer_id = v.id AND t.is_active
    )::varchar[] AS types
    FROM teams_volunteer v WHERE v.tenant_id = %(tenant)s AND v.status = 'active'
),
-- each active volunteer with each offered course their roles or team types need
needed AS (
    SELECT volunteers.id AS volunteer_id, r.id AS course_id
    FROM volunteers JOIN training_course r ON r.tenant_id = %(tenant)s AND r.is_active
      AND (r.required_for_roles && volunteers.roles OR r.required_for_team_types && volunteers.types)
),
-- those lacking one: a hash join of what is needed against what is held, not a search per pair
lacking AS (
    SELECT DISTINCT n.volunteer_id FROM needed n
    LEFT JOIN held h ON h.volunteer_id = n.volunteer_id AND h.course_id = n.course_id
    WHERE h.volunteer_id IS NULL
)
SELECT (SELECT count(*) FROM volunteers), (SELECT count(*) FROM volunteers) - (SELECT count(*) FROM lacking)
"""


def compliance_counts(tenant: Tenant, when: datetime.datetime) -> tuple[int, int]:
    """(active volunteers, of them compliant) at ``when``: one query."""
    with connection.cursor() as cursor:
        cursor.execute(COMPLIANCE_SQL, {"tenant": tenant.pk, "when": when})
        total, compliant = cursor.fetchone()
    return int(total), int(compliant)


def compliance_share(tenant: Tenant, period: Period) -> Decimal | None:
    """The share (percent) of today's active volunteers whose required certificates were all
    valid at the end of the period (or now, for a period not over yet): the training compliance
    page's figure (``records.compliance``), as one SQL aggregate."""
    total, compliant = compliance_counts(tenant, min(period.end, timezone.now()))
    return None if not total else Decimal(100 * compliant) / Decimal(total)
