"""Filters of the training lists (django-filter), for the pages and the API."""
