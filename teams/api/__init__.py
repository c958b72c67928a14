"""The teams API: ``serializers`` (input and output), ``views`` (viewsets), ``urls`` (the router)."""
