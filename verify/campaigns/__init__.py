"""Campaigns: fuzzing claims (and, with the certification engine, deciding parameter boxes) on more than one
process or machine.

A campaign is a list of independent *tasks* (one claim, one seed, a batch of Hypothesis-drawn points); each
task runs where a worker is free, searches its claim's hypothesis space with Hypothesis, and shrinks every
failing or inconclusive point to a minimal counter-example on the worker that found it. Tasks run on Dask's
distributed scheduler (a ``LocalCluster`` by default, a scheduler address for a real cluster) when the
``campaigns`` extra is installed, else in local processes. Layer: above the engine (it checks points through
:mod:`verify.engine.checking`), below the face (the ``nc-verify fuzz`` command).

- :mod:`verify.campaigns.tasks`: a task and what it found (runs on a worker; pure given its spec).
- :mod:`verify.campaigns.database`: the shared example database and the campaign's memory between runs.
- :mod:`verify.campaigns.executors`: Dask or local processes, with one interface.
- :mod:`verify.campaigns.campaign`: planning, budget, progress, the report.
- :mod:`verify.campaigns.cli`: ``nc-verify fuzz``.
"""
