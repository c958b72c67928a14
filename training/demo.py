"""Demo data of the training app, registered with ``core.registry.demo_seeders`` in apps.py."""
