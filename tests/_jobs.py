"""Waiting for the web's analysis jobs in tests: an upload answers 202 at once and its
analysis runs in the background, so a test that needs the analysed result polls the job."""

from __future__ import annotations

import time

import pytest

ENDED = ("done", "failed")


def threaded():
    """Settings whose analysis worker is a thread of the server, not a child process: for the
    tests that stub the pipeline in this process (a child would import the real one)."""
    from newsweave.settings import Settings

    settings = Settings()
    settings.web.analysis_process = False
    return settings


def wait_for_job(client, answer: dict, timeout: float = 900.0, poll: float = 0.05) -> dict:
    """Poll GET /api/jobs/{id} (of an upload's answer, or of a job) until the job has ended;
    its last state. Fails, naming the state it was stuck in, after `timeout` seconds (a
    bound on a hang, not a timing assertion)."""
    job = answer.get("job", answer)
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/api/jobs/{job['id']}")
        assert r.status_code == 200, r.text
        state = r.json()
        if state["status"] in ENDED:
            return state
        if time.monotonic() > deadline:
            pytest.fail(f"job {job['id']} still {state['status']} (stage {state['stage']}) after {timeout:.0f} s")
        time.sleep(poll)


def analysed(client, answer: dict, timeout: float = 900.0) -> dict:
    """Wait for the upload's job and require it done; the job's last state."""
    state = wait_for_job(client, answer, timeout)
    assert state["status"] == "done", state
    return state
