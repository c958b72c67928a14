"""Pages of the incidents app: ``reports`` (the public report and tracking pages), ``triage`` (the
officers' queue and case page), ``mediation`` (dispute mediation), ``open311`` (GeoReport v2)."""
