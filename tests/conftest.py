"""Shared fixtures: one Spark session for the whole run, a private CODEWRIGHT_HOME per test."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    # One JVM for the whole suite: starting Spark costs seconds, the tests milliseconds.
    os.environ.setdefault("CODEWRIGHT_HOME", str(tmp_path_factory.mktemp("codewright_home")))
    from codewright.spark import get_or_create_session

    session = get_or_create_session(
        "codewright-tests",
        extra={
            "spark.master": "local[2]",
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "4",
        },
    )
    yield session
    session.stop()


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh CODEWRIGHT_HOME for one test."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("CODEWRIGHT_HOME", str(path))
    return path
