"""Reads of the incidents app, one module per sub-domain (the same names as in ``services``):

* ``reports``: categories, a report by its tracking code, the public timeline, open reports nearby
* ``triage``: the officers' queue, a report's timeline, who a report can be assigned to
* ``return_visits``: the visit to record, the visit to rate, who makes a visit
* ``duplicates``: possible duplicates, joined reports, the report to merge with
* ``mediation``: who mediates and who sees what, the mediation lists, the disputes-settled counts
* ``open311``: the reports as Open311 service requests
* ``figures``: the dashboard's figures (from the rollups) and their plain GROUP BY twins
* ``rollups``: the series behind the figures and how a rebuild computes them from the rows
"""
