"""Every start-up error an operator meets names what went wrong and what to do
(app.shell.startup_failure, app.shell.login, the CLI's top level, ``--view`` arguments).

The errors come from the real thing where it is cheap: SoftHSM2 tokens, a node process whose
port is taken, a CLI command without a node to talk to.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from app.cli import main
from app.cli.operator_agent import agent_command
from app.links.node_link import NodeLink
from app.links.operator_session import DEVNET_PERSONS, KeyNotOnRoster, TokenSource
from app.shell.login import LoginDialog
from app.shell.startup import ConsoleOptions, ConsoleRuntime
from app.shell.startup_failure import failure_text
from node_core.api.wire import ClientError
from node_core.devnet.layout import DevnetLayout, person_pin
from node_core.ledger.exceptions import KeyNotFound, TokenNotFound, WrongPin
from node_core.signers.agent import AgentSigner
from node_core.signers.softhsm import find_softhsm_module
from tests.app.conftest import press_ok, when
from tests.helpers.devnet import free_base_port, wait_until

MAIN = Path(__file__).parents[3] / "main.py"


def _refusal(devnet_dir: Path, token: str, pin: str, key: str | None = None) -> Exception:
    """What a person's token answers to this login (in an operator agent, as at the console)."""
    agent = AgentSigner.start(agent_command(find_softhsm_module(),
                                            devnet_dir / "softhsm" / "softhsm2.conf"))
    try:
        agent.log_in(token, pin, key)
    except Exception as error:
        return error
    finally:
        agent.close()
    raise AssertionError("the login was accepted")


def test_token_pin_key_and_roster_failures_say_what_to_do(devnet_template: Path) -> None:
    """An automatic (driven) login's failures: the operator's token, never the authority's."""
    missing = _refusal(devnet_template, "no-such-token", "x-1234")
    assert isinstance(missing, TokenNotFound)
    text = failure_text(missing, devnet_template)
    assert text.startswith("The operator's token was not found: no token labelled "
                           "'no-such-token'")
    assert "\nWhat to do: insert the operator's card, or check the PKCS#11 module" in text
    assert str(devnet_template / "softhsm" / "softhsm2.conf") in text

    wrong = _refusal(devnet_template, "operator1", "not-the-pin")
    assert isinstance(wrong, WrongPin)
    assert "\nWhat to do: start the console again and enter your own token's PIN" in \
        failure_text(wrong, devnet_template)

    no_key = _refusal(devnet_template, "operator1", person_pin("operator1"), key="NOBODY")
    assert isinstance(no_key, KeyNotFound)
    text = failure_text(no_key, devnet_template)
    assert text.startswith("The operator's key is not on their token: ")
    assert "\nWhat to do: create it with `main.py operators init NAME`" in text

    stranger = KeyNotOnRoster("the key on token 'stranger' (0x…) is not on EGAT's roster")
    assert failure_text(stranger, devnet_template).endswith(
        "\nWhat to do: the security administrator enrols it (`main.py roster add`), or log in "
        "with another person's token.")


def test_login_dialog_says_what_to_do_for_a_missing_token(devnet_template: Path, run, qtbot,
                                                          isa101) -> None:
    source = TokenSource("EGAT", find_softhsm_module(),
                         devnet_template / "softhsm" / "softhsm2.conf", people=DEVNET_PERSONS)
    dialog = LoginDialog(NodeLink(), source, token="operator1")
    qtbot.addWidget(dialog)
    dialog.open()
    press_ok(dialog, token="no-such-token", pin="no-such-token-1234")
    run(wait_until(when(dialog.form.error.isVisible), 30, "token error"), 40)
    assert dialog.form.error.text().startswith(
        "No token with this label is present. Insert your card, or choose or type your "
        "token's label, and try again.\nno token labelled 'no-such-token'")
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.form.pin.text() == ""


async def _no_login(source: object) -> bool:
    return True


@pytest.mark.slow
def test_a_taken_port_is_named_with_what_to_do(devnet: DevnetLayout, run, qtbot) -> None:
    """A real node that cannot bind: the node's last word (the CLI's top-level message)
    reaches the console, which adds what the operator does."""
    runtime = ConsoleRuntime(ConsoleOptions(authority="EGAT", data_dir=devnet.data_dir,
                                            base_port=devnet.base_port), _no_login)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", devnet.p2p_port("EGAT")))
        taken.listen()

        async def start() -> Exception:
            try:
                await runtime.start()
            except ClientError as error:
                return error
            raise AssertionError("the console started although the port is taken")

        try:
            error = run(start(), 90)
        finally:
            run(runtime.shutdown(), 60)
    assert runtime.live_pids() == []
    assert isinstance(error, ClientError) and error.type == "NodeExited"
    assert "address already in use: another program (another node, devnet or console) " \
           "uses this port" in str(error)
    text = failure_text(error, devnet.data_dir)
    assert text.startswith("An authority node could not open its port: NodeExited: EGAT exited")
    assert text.endswith("\nWhat to do: another console, devnet or program uses it: stop that "
                         "one, or start this console with its own --data-dir and --base-port.")


def test_old_devnet_data_is_named_with_what_to_do(tmp_path: Path) -> None:
    exited = ClientError("NodeExited", "EGAT exited (error: the store at this data directory "
                         "belongs to chain 1f2e…, but the configured genesis is 9a8b… (a "
                         "devnet made by an older version, or the wrong genesis file): ...); "
                         "see devnet-data/logs/EGAT.log")
    text = failure_text(exited, tmp_path / "devnet-data")
    assert text.startswith(f"The data in {tmp_path / 'devnet-data'} was made by an older "
                           "version or is damaged: NodeExited: EGAT exited")
    assert f"\nWhat to do: for a devnet: close the console, move {tmp_path / 'devnet-data'} " \
           "aside" in text


def test_cli_without_a_node_says_what_to_do(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    port = free_base_port() + 1  # nothing listens there, and no node wrote its credential
    cookie = tmp_path / "node.cookie"
    assert main(["status", "--endpoint", f"127.0.0.1:{port}", "--cookie", str(cookie)]) == 2
    err = capsys.readouterr().err
    assert err == (f"error: NoCredential: no node credential at {cookie}: is the node running "
                   "(it writes the file when it starts)?\n")
    cookie.write_text("00" * 32)  # a stale credential: the endpoint itself is not there
    assert main(["status", "--endpoint", f"127.0.0.1:{port}", "--cookie", str(cookie)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: Unreachable: no node endpoint at 127.0.0.1:{port} (")
    assert "is the node running? Start it (the console, or `main.py node --config FILE`), " \
           "or check the host and port" in err


def test_cli_node_on_a_taken_port_says_what_to_do(devnet: DevnetLayout) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", devnet.p2p_port("EGAT")))
        taken.listen()
        result = subprocess.run([sys.executable, str(MAIN), "node", "--config",
                                 str(devnet.config("EGAT"))], env=devnet.environment(),
                                capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("error: [Errno 98] "), result.stderr
    assert "another program (another node, devnet or console) uses this port; stop it, or " \
           "give this one other ports (node config listen addresses; devnet: --base-port)" \
           in result.stderr


@pytest.mark.parametrize(("argv", "message"), [
    (["--view", "alarms"], "--view needs --screenshot PATH"),
    (["--screenshot", "x.png", "--view", "all"], "several views need {view} in the "
     "--screenshot path, e.g. --screenshot docs/view-{view}.png"),
    (["--screenshot", "x-{view}.png", "--view", "alarms,radar"], "unknown view radar; "
     "choose from node, explorer, telemetry, governance, alarms, emergency, trading, "
     "timeline, login, approval, executed, window or all"),
])
def test_screenshot_view_arguments_say_what_to_do(argv: list[str], message: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
