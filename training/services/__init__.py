"""Writes of the training app, one module per sub-domain (courses, sessions, attendance, assessments,
certificates), the same names as in selectors/. Filled by the training issue."""
