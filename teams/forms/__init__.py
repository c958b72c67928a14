"""Forms of the teams pages, one module per sub-domain: ``volunteers`` (the application),
``screening`` (screening steps, backgrounds), ``teams``, ``points`` (awards, corrections, rules),
``rewards``, ``imports`` (the CSV upload). Each hands its service the arguments with
``service_kwargs()``."""
