"""codewright: the engine that turns permissively licensed code into a served code LLM.

Plain Python: nothing in this package imports dagster (tests/test_engine_boundary.py enforces
it), so Spark executors and training subprocesses import it without the orchestrator.
"""

__version__ = "0.1.0"
