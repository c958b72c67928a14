"""Reads of the training app, one module per sub-domain, the same names as in services/. Filled by the
training issue."""
