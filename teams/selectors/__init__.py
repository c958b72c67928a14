"""Reads of the teams app, one module per sub-domain (the same names as in services/):

- ``volunteers``: the roster, applications, a user's own record
- ``screening``: an application's history and reviews, the station's backgrounds
- ``teams``: teams, the teams a user leads, a team's roster
- ``points``: balances, the ledger, honour titles, point rules, leaderboards
- ``rewards``: the reward catalogue, redemption requests

Import from the module: ``from teams.selectors.points import balance``.
"""
