"""``python main.py keys ...`` in a subprocess, against a real SoftHSM2 token and real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from node_core.ledger.types import is_address
from node_core.signers.softhsm import init_token
from tests.helpers.softhsm import SoftHsmToken

REPO = Path(__file__).resolve().parents[3]
CLI_TOKEN = "gtx-cli"
PIN_VARIABLE = "GTX_TEST_CLI_PIN"


@pytest.fixture(scope="module")
def cli_token(softhsm_token: SoftHsmToken) -> SoftHsmToken:
    """A token of its own: created after this process loaded SoftHSM2, so only the CLI
    subprocesses (which load the module afresh) see it."""
    init_token(softhsm_token.conf_path, CLI_TOKEN, softhsm_token.so_pin, softhsm_token.user_pin)
    return SoftHsmToken(softhsm_token.module_path, softhsm_token.conf_path, CLI_TOKEN,
                        softhsm_token.user_pin, softhsm_token.so_pin)


def _keys(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "keys", *arguments],
        cwd=REPO, env={**os.environ, **environment}, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=120, check=False,
    )


def _token_arguments(token: SoftHsmToken, key_label: str) -> list[str]:
    return ["--authority", "EGAT", "--backend", "pkcs11", "--module", token.module_path,
            "--softhsm-conf", str(token.conf_path), "--token-label", token.token_label,
            "--key-label", key_label, "--pin-env", PIN_VARIABLE]


def _assert_clean_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and fragment in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_init_then_show_report_the_same_address(cli_token: SoftHsmToken) -> None:
    selectors = _token_arguments(cli_token, "EGAT")
    created = _keys("init", *selectors, **{PIN_VARIABLE: cli_token.user_pin})
    assert created.returncode == 0, created.stderr
    lines = dict(line.split(": ", 1) for line in created.stdout.splitlines())
    assert lines["authority"] == "EGAT" and is_address(lines["address"])
    assert lines["public_key"].startswith("04") and len(lines["public_key"]) == 130

    shown = _keys("show", *selectors, "--json", **{PIN_VARIABLE: cli_token.user_pin})
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == {
        "authority": "EGAT", "address": lines["address"], "public_key": lines["public_key"]
    }
    assert cli_token.user_pin not in created.stdout + created.stderr + shown.stdout + shown.stderr


def test_init_refuses_to_replace_a_key_unless_asked(cli_token: SoftHsmToken) -> None:
    selectors = _token_arguments(cli_token, "replace-me")
    pin = {PIN_VARIABLE: cli_token.user_pin}
    first = json.loads(_keys("init", *selectors, "--json", **pin).stdout)
    _assert_clean_error(_keys("init", *selectors, **pin), "pass --replace")
    second = json.loads(_keys("init", *selectors, "--replace", "--json", **pin).stdout)
    assert second["address"] != first["address"]


def test_wrong_pin_is_a_clean_error(cli_token: SoftHsmToken) -> None:
    result = _keys("show", *_token_arguments(cli_token, "EGAT"), **{PIN_VARIABLE: "bad-pin-999"})
    _assert_clean_error(result, f"token '{CLI_TOKEN}' refused the PIN")
    assert "bad-pin-999" not in result.stderr


def test_unset_pin_variable_without_a_terminal_is_a_clean_error(cli_token: SoftHsmToken) -> None:
    environment = {k: v for k, v in os.environ.items() if k != PIN_VARIABLE}
    result = subprocess.run(
        [sys.executable, "main.py", "keys", "show", *_token_arguments(cli_token, "EGAT")],
        cwd=REPO, env=environment, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=120, check=False,
    )
    _assert_clean_error(result, f"{PIN_VARIABLE} is not set")


def test_unknown_token_lists_the_tokens_present(cli_token: SoftHsmToken) -> None:
    arguments = _token_arguments(cli_token, "EGAT")
    arguments[arguments.index(CLI_TOKEN)] = "no-such-token"
    result = _keys("show", *arguments, **{PIN_VARIABLE: cli_token.user_pin})
    _assert_clean_error(result, "no token labelled 'no-such-token'")
    assert f"'{CLI_TOKEN}'" in result.stderr


def test_file_backend_needs_the_flag_then_round_trips(tmp_path: Path) -> None:
    key_file = tmp_path / "egat.pem"
    selectors = ["--authority", "EGAT", "--backend", "file", "--key-file", str(key_file),
                 "--passphrase-env", "GTX_TEST_PASSPHRASE"]
    secret = {"GTX_TEST_PASSPHRASE": "dev passphrase"}
    _assert_clean_error(_keys("init", *selectors, **secret), "development")
    assert not key_file.exists()

    created = _keys("init", *selectors, "--allow-file-signer", "--json", **secret)
    assert created.returncode == 0, created.stderr
    shown = _keys("show", *selectors, "--allow-file-signer", "--json", **secret)
    assert json.loads(shown.stdout) == json.loads(created.stdout)
    wrong = _keys("show", *selectors, "--allow-file-signer", GTX_TEST_PASSPHRASE="nope")
    _assert_clean_error(wrong, "passphrase")
