"""App servers as operators run them: ``gunicorn -c gunicorn.conf.py`` in a directory of
its own, with an instance folder of its own (``KX_INSTANCE_PATH``), only the ``KX_*``
variables a test gives it, its output in a log file."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support.proxy import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


class Node:
    """One gunicorn server on a free loopback port; ``url`` once ``start()`` returns. Its
    instance folder (secret key file, default SQLite file and search index, mail files) is
    ``instance`` in its directory unless ``KX_INSTANCE_PATH`` is among ``variables``."""

    def __init__(self, name: str, directory: Path, **variables):
        self.name, self.directory = name, directory
        directory.mkdir(parents=True, exist_ok=True)
        self.instance = directory / "instance"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = directory / "gunicorn.log"
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("KX_") and k != "WEB_CONCURRENCY"
        }
        self.env = {
            **inherited,
            "KX_BIND": f"127.0.0.1:{self.port}",
            "KX_INSTANCE_PATH": str(self.instance),
            "WEB_CONCURRENCY": "1",
            **variables,
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> "Node":
        """Start gunicorn and wait until ``/healthz`` says 200."""
        log = open(self.log_path, "a")  # noqa: SIM115 (gunicorn writes to it until stopped)
        self.process = subprocess.Popen(  # noqa: S603 (our own gunicorn, no shell)
            [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=self.directory,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"{self.name} exited\n{self.log()}"
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as page:  # noqa: S310
                    if page.status == 200:
                        return self
            except OSError:
                pass
            assert time.monotonic() < deadline, f"{self.name} not healthy\n{self.log()}"
            time.sleep(0.2)

    def wait_exit(self, timeout: float = 30) -> int:
        """For a server expected to refuse to start: its exit status."""
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""
