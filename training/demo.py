"""Demo data of the training app, registered with ``core.registry.demo_seeders`` in apps.py."""


def seed_demo_station(demo):
    return None


def demo_summary():
    return []
