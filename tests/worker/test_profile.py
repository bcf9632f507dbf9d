"""Choosing where background work runs: inline by default (no worker to run), a worker
only with ``KX_JOBS=postgres`` on PostgreSQL; a wrong setting stops the start."""

import socket
import threading

import pytest

from kx import config, create_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_without_kx_jobs_there_is_no_worker_to_run(app):
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0
    assert "KX_JOBS" in result.output
    assert "no worker" in result.output


def test_an_unknown_kx_jobs_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("KX_JOBS", "celery")
    with pytest.raises(RuntimeError, match=r"KX_JOBS must be inline .* or postgres"):
        config.load(tmp_path)


def test_jobs_in_postgres_need_a_postgres_database(tmp_path):
    with pytest.raises(RuntimeError, match="KX_DATABASE_URL"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'kx.db'}",
                "SECRET_KEY": "t",
                "JOBS": "postgres",
            }
        )


def test_a_worker_without_its_database_stops_naming_the_variable():
    port = free_port()  # nothing listens there
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://kx@127.0.0.1:{port}/kx",
            "SECRET_KEY": "t",
            "JOBS": "postgres",
        }
    )
    before = set(threading.enumerate())
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code == 1
    assert "Cannot reach the database KX_DATABASE_URL names" in result.output
    # nothing left behind retrying the connection (and logging) for minutes
    assert set(threading.enumerate()) - before == set()
