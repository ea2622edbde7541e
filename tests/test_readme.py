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
    assert any(re.search(r"Aldmere.* 2$", line) for line in lines), lines


def test_readme_commands_exist():
    from typer.testing import CliRunner

    from newsweave.cli import app

    bullet = README[README.index("* `newsweave --help`") :].split("\n* ", 1)[0]
    commands = [n for n in re.findall(r"`([a-z ]+)`", bullet) if n != "newsweave --help"]
    assert len(commands) >= 10, bullet
    for name in commands:
        result = CliRunner().invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0, f"README names `{name}`, which is no command"


def test_readme_demo_sequence_prints_the_brief_the_readme_shows(tmp_path):
    """`make demo` runs scripts/demo.sh; run its newsweave commands (into a temporary store
    and output folder) and find the brief excerpt the README prints, line for line."""
    script = (ROOT / "scripts" / "demo.sh").read_text(encoding="utf-8")
    commands = [line.split("newsweave", 1)[1].split() for line in script.splitlines() if line.startswith(".venv/bin/newsweave ")]
    assert [c[0] for c in commands] == ["ingest", "stories", "brief", "brief"], commands
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    outputs = {}
    for args in commands:
        args = [str(tmp_path / a.removeprefix("out/")) if a.startswith("out/") else a for a in args]
        proc = subprocess.run([sys.executable, "-m", "newsweave", *args], cwd=ROOT, capture_output=True, text=True, env=env)
        assert proc.returncode == 0, f"newsweave {' '.join(args)}: {proc.stderr}"
        outputs[args[0]] = proc.stdout
    briefs = (tmp_path / "briefs.md").read_text(encoding="utf-8")
    assert (tmp_path / "briefs.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    worked = README[README.index("## A worked example") :]
    (shown,) = re.findall(r"```\n(.*?)```", worked, flags=re.S)[:1]
    for line in shown.strip().splitlines():
        if line.startswith("_Story `"):  # the story id is shown; its counts must match
            line = line.split("·", 1)[1].strip()
        assert line in briefs, f"the README shows {line!r}, which the demo does not print"
    assert "3 stories" in outputs["stories"]  # the README: "groups them into three stories"
    assert "three stories" in README
