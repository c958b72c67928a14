"""Writes of the teams app, one module per sub-domain (the same names as in selectors/):

- ``volunteers``: station defaults, applications (with a new account), classification
- ``screening``: the screening steps and the station's volunteer backgrounds
- ``teams``: teams and their members
- ``points``: awards (the one way other apps award points), corrections, point rules
- ``rewards``: the reward catalogue and redemptions
- ``imports``: CSV rosters (reading, checking, exporting, the queued import)

Import from the module: ``from teams.services.points import points_award``.
"""
