"""The CLI: every command has help; user errors give one line and a non-zero exit."""

import json

from typer.testing import CliRunner

from newsweave.cli import app

runner = CliRunner()


def all_commands(group=app):
    import typer.main

    click_group = typer.main.get_command(group)
    stack = [((), click_group)]
    while stack:
        path, cmd = stack.pop()
        subs = getattr(cmd, "commands", None)
        if subs:
            stack += [((*path, name), sub) for name, sub in subs.items()]
        elif path:
            yield path, cmd


def test_every_command_has_help():
    commands = list(all_commands())
    assert len(commands) >= 4
    for path, cmd in commands:
        assert (cmd.help or "").strip(), f"`newsweave {' '.join(path)}` has no help text"
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)


def test_ingest_articles_show(seeds_dir, tmp_path):
    db = str(tmp_path / "c.db")
    result = runner.invoke(app, ["ingest", str(seeds_dir), "--db", db, "--no-analyse"])
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["articles", "--db", db, "--json"]).stdout)
    assert len(listed) == 5
    aggregator = next(a for a in listed if a["agency"] == "ANI")
    shown = runner.invoke(app, ["show", aggregator["id"][:8], "--db", db])
    assert shown.exit_code == 0
    assert "also-read" in shown.stdout and "disclaimer" in shown.stdout


def test_user_errors_are_one_line(tmp_path):
    import subprocess
    import sys

    db = str(tmp_path / "e.db")
    proc = subprocess.run(
        [sys.executable, "-m", "newsweave", "show", "deadbeef", "--db", db], capture_output=True, text=True
    )
    assert proc.returncode == 2  # the run failed (an unknown id); 1 means some inputs were refused
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "no article with id 'deadbeef'" in proc.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "newsweave", "ingest", str(tmp_path / "nope.txt"), "--db", db], capture_output=True, text=True
    )
    assert missing.returncode == 1 and "nope.txt: no such file or folder" in missing.stderr
