"""Registers tenancy.roles.PERMISSIONS with django-rules, so that ``user.has_perm(perm, tenant)``
and the ``{% has_perm %}`` template tag answer from the same table."""

import rules

from .roles import PERMISSIONS, has_station_perm


def _predicate_for(perm):
    @rules.predicate(name=f"station_perm:{perm}")
    def check(user, tenant):
        return tenant is not None and has_station_perm(user, tenant, perm)

    return check


for _perm in PERMISSIONS:
    rules.add_perm(_perm, _predicate_for(_perm))
