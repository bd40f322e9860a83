"""A starting node finds its SoftHSM2 token even when the token shows up a moment late, and
still names a token that stays missing (node_core.node.config.open_signer, ``reload_if_missing``).

Each check runs in its own process, as a node does: SoftHSM2 reads its token directory when
the module initialises, and re-initialising it would close every session of the pytest
process. The token is hidden by renaming its directory, the real thing a reader meets while
another process rewrites the token's files."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from node_core.devnet.layout import DEVNET_TOKEN, DevnetLayout
from node_core.signers.softhsm import CONF_FILE_NAME

OPEN_SIGNER = """
import sys
from node_core.node.config import load_node_config, open_signer
signer = open_signer(load_node_config(sys.argv[1]).signer, reload_if_missing=True)
print(signer.address)
"""


def _start_signer(devnet: DevnetLayout) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", OPEN_SIGNER, str(devnet.config("EGAT"))],
                            env=devnet.environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _hide_token(devnet: DevnetLayout) -> tuple[Path, Path]:
    tokens = devnet.data_dir / "softhsm" / "tokens"
    assert (devnet.data_dir / "softhsm" / CONF_FILE_NAME).is_file()
    (token,) = [d for d in tokens.iterdir()  # the authorities' token (each person has one too)
                if DEVNET_TOKEN.encode() in (d / "token.object").read_bytes()]
    hidden = devnet.data_dir / "hidden-token"
    token.rename(hidden)
    return hidden, token


def test_a_token_that_appears_while_the_node_waits_is_found(devnet: DevnetLayout) -> None:
    """The token comes back right after the node's first look missed it (whenever that is:
    a loaded machine starts Python slowly)."""
    hidden, token = _hide_token(devnet)
    child = _start_signer(devnet)
    assert child.stderr is not None
    seen = ""
    while "no token labelled 'gridtokenx-devnet'" not in seen and child.poll() is None:
        seen += child.stderr.readline()  # it looked and missed: now the token comes back
    hidden.rename(token)
    out, rest = child.communicate(timeout=60)
    assert child.returncode == 0, seen + rest
    assert out.strip().startswith("0x") and len(out.strip()) == 42


def test_a_token_that_stays_missing_is_named_after_the_retries(devnet: DevnetLayout) -> None:
    _hide_token(devnet)
    started = time.monotonic()
    child = _start_signer(devnet)
    _, err = child.communicate(timeout=60)
    assert child.returncode != 0
    assert time.monotonic() - started >= 3.0  # TOKEN_SEARCH: 0.2 + 0.4 + 0.8 + 1.6 s
    assert err.count("looking again in") == 4
    assert "TokenNotFound: no token labelled 'gridtokenx-devnet'" in err
