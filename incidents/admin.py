"""Nothing of the incidents app is edited in the Django admin: officers work on reports and
mediations in the portal's pages and API, where every change is checked and audited."""
