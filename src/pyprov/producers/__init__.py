"""Producers: the code that runs build code (sandboxed) and returns artifacts with their environment.

- :mod:`pyprov.producers.policy`: what build code may see and do (the sandbox policy);
- :mod:`pyprov.producers.pep517`: one PEP 517 build, as ``python -m build`` runs it.

A producer never writes evidence: :func:`pyprov.build.build_project` records, signs and
publishes once every piece of build code has stopped.
"""
