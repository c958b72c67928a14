"""Forms of the incidents app; each hands ``service_kwargs()`` to the service it feeds:

* ``reports``: the report page, adding information, the tracking-code lookup
* ``triage``: the actions of a report's case page
* ``mediation``: opening a mediation, its sessions, outcome and parties
"""
