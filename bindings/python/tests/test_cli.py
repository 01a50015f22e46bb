"""python -m twfollow, end to end."""

from __future__ import annotations

import json
import subprocess
import sys


def run(args, env, drop=()):
    env = {k: v for k, v in env.items() if k not in drop}
    return subprocess.run([sys.executable, "-m", "twfollow", *args], env=env, capture_output=True, text=True)


def test_follow_prints_the_user_json(sandbox_env):
    result = run(["--notify", "@twitterdev"], sandbox_env)
    assert result.returncode == 0, result.stderr
    user = json.loads(result.stdout)
    assert (user["screen_name"], user["notifications"]) == ("twitterdev", True)


def test_refusal_exit_code_and_message(sandbox_env):
    result = run(["pending_pat"], sandbox_env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "TW_STATUS_ALREADY_REQUESTED: HTTP 403, error 160: You've already requested to follow pending_pat."
    )


def test_exit_codes(sandbox_env, closed_port):
    assert run(["bad name"], sandbox_env).returncode == 65
    assert run(["twitterdev"], sandbox_env, drop=("TW_CONSUMER_KEY",)).returncode == 78
    assert run([], sandbox_env).returncode == 64
    assert run(["--bogus", "x"], sandbox_env).returncode == 64
    assert run(["--base-url", f"http://127.0.0.1:{closed_port}", "twitterdev"], sandbox_env).returncode == 69
    version = run(["--version"], sandbox_env)
    assert version.returncode == 0 and "twfollow/0.1.0" in version.stdout
