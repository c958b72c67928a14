"""Pages of the teams app, one module per sub-domain: ``volunteers`` (applying, screening, the
roster), ``backgrounds``, ``teams``, ``points`` (the volunteer's own page, awards, rules, rewards,
redemptions) and ``csv`` (roster export and import)."""
