"""Forms of the training app (one module per sub-domain); forms hand ``service_kwargs()`` to services."""
