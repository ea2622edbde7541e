"""The README stays true: its Python example runs, and its commands exist."""

import os
import re
import subprocess
import sys

from conftest import EXAMPLES, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs_on_the_examples(tmp_path):
    (code,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    (tmp_path / "examples").symlink_to(EXAMPLES)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) >= 3  # the examples hold three happenings
    # the port-strike wire, its two copies and a local paper's follow-up: two independent sources
    assert any(re.search(r"wage agreement 2$", line) for line in lines), lines


def test_readme_commands_exist():
    from typer.testing import CliRunner

    from newsweave.cli import app

    bullet = README[README.index("* `newsweave --help`") :].split("\n* ", 1)[0]
    commands = [n for n in re.findall(r"`([a-z ]+)`", bullet) if n != "newsweave --help"]
    assert len(commands) >= 10, bullet
    for name in commands:
        result = CliRunner().invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0, f"README names `{name}`, which is no command"
