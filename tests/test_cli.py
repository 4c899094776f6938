"""`python -m ecosystem hash-password`: a short password gets the length rule (exit 1), never a traceback; a long
one gets its bcrypt hash, the line STAFF_ACCOUNTS takes."""

import subprocess
import sys

import bcrypt
import pytest

from ecosystem.__main__ import main
from ecosystem.i18n import t

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
LONG = "correct horse battery staple"


def typed(monkeypatch, password: str) -> list[str]:
    """The password as a person types it at getpass's prompt; returns the prompts shown."""
    prompts = []

    def getpass(prompt=""):
        prompts.append(prompt)
        return password

    monkeypatch.setattr("getpass.getpass", getpass)
    return prompts


@pytest.mark.parametrize("password", ["", "short", "x" * 11])
def test_a_short_password_is_refused_with_the_rule(monkeypatch, capsys, password):
    prompts = typed(monkeypatch, password)
    assert main(["hash-password"]) == 1
    out, err = capsys.readouterr()
    assert prompts == [t("cli_password_prompt")]
    assert out == ""  # nothing a script could take for a hash
    assert err.strip() == t("cli_password_too_short", count=len(password))
    assert "12 caractères au moins" in err and f"celui-ci en a {len(password)}" in err
    assert "Traceback" not in err


def test_a_long_password_prints_its_bcrypt_hash(monkeypatch, capsys):
    typed(monkeypatch, LONG)
    assert main(["hash-password"]) == 0
    out, err = capsys.readouterr()
    hashed = out.strip()
    assert out.count("\n") == 1 and hashed.startswith("$2b$12$")
    assert bcrypt.checkpw(LONG.encode(), hashed.encode())
    assert err == ""


def test_twelve_characters_are_enough(monkeypatch, capsys):
    typed(monkeypatch, "x" * 12)
    assert main(["hash-password"]) == 0
    assert bcrypt.checkpw(b"x" * 12, capsys.readouterr().out.strip().encode())


def test_ctrl_d_at_the_prompt_exits_1_without_a_traceback(monkeypatch, capsys):
    def interrupted(prompt=""):
        raise EOFError

    monkeypatch.setattr("getpass.getpass", interrupted)
    assert main(["hash-password"]) == 1
    assert capsys.readouterr().out == ""


def run_command(password_line: str) -> subprocess.CompletedProcess:
    """The real command, the password on its standard input (no terminal: getpass reads the line there)."""
    return subprocess.run([sys.executable, "-m", "ecosystem", "hash-password"], input=password_line, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_the_command_itself_short_then_long_password():
    short = run_command("court\n")
    assert short.returncode == 1
    assert t("cli_password_too_short", count=5) in short.stderr
    assert "Traceback" not in short.stderr and "ValueError" not in short.stderr
    assert short.stdout == ""

    long = run_command(LONG + "\n")
    assert long.returncode == 0, long.stderr
    assert bcrypt.checkpw(LONG.encode(), long.stdout.strip().encode())
    assert "Traceback" not in long.stderr
