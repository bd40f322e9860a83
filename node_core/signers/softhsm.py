"""SoftHSM2 tokens for devnets and tests, kept out of the system-wide token directory.

SoftHSM2 finds its configuration through the ``SOFTHSM2_CONF`` environment variable and reads
it — together with the list of tokens — once, when the module is loaded into a process.
python-pkcs11 loads a module once per process (``pkcs11.lib(path)`` caches it), so:

* set ``os.environ["SOFTHSM2_CONF"]`` (``activate_config``) **before** the first
  ``Pkcs11Signer``/``token_present`` call in the process; changing it later has no effect;
* create every token the process will use (``init_token``) before that first call too: a
  token initialised afterwards is visible to new processes only.

``init_token`` passes the PINs to ``softhsm2-util`` on its command line, where other local
users can see them in the process list: acceptable for devnets and tests, which is all this
module is for. Production tokens are initialised with the vendor's tools.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from node_core.ledger.exceptions import SignerError

SOFTHSM2_MODULE: Final = "/usr/lib/softhsm/libsofthsm2.so"
"""Where Debian and Ubuntu's ``softhsm2`` package installs the module."""

MODULE_CANDIDATES: Final[Sequence[str]] = (
    SOFTHSM2_MODULE,
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",  # Fedora, RHEL
    "/usr/lib/pkcs11/libsofthsm2.so",
    "/usr/lib64/softhsm/libsofthsm.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",  # built from source
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",  # macOS, Homebrew
)

CONF_FILE_NAME: Final = "softhsm2.conf"
_UTIL: Final = "softhsm2-util"
_TIMEOUT_S: Final = 60


def find_softhsm_module() -> str:
    """The path of the installed SoftHSM2 PKCS#11 module; SignerError if there is none."""
    for candidate in MODULE_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise SignerError(
        "SoftHSM2 is not installed (no libsofthsm2.so in "
        f"{', '.join(MODULE_CANDIDATES)}); install it with `sudo apt-get install softhsm2` "
        "(Fedora: `sudo dnf install softhsm`)"
    )


def write_softhsm_config(directory: str | os.PathLike[str]) -> Path:
    """Write ``<directory>/softhsm2.conf`` keeping tokens in ``<directory>/tokens``."""
    base = Path(directory).resolve()
    token_dir = base / "tokens"
    token_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    conf_path = base / CONF_FILE_NAME
    conf_path.write_text(
        f"directories.tokendir = {token_dir}\nobjectstore.backend = file\nlog.level = ERROR\n",
        encoding="utf-8",
    )
    return conf_path


def activate_config(conf_path: str | os.PathLike[str]) -> None:
    """Point this process (and its children) at ``conf_path``; see the module docstring."""
    path = Path(conf_path).resolve()
    if not path.is_file():
        raise SignerError(f"SoftHSM2 configuration {path} does not exist")
    os.environ["SOFTHSM2_CONF"] = str(path)


def token_labels(conf_path: str | os.PathLike[str]) -> list[str]:
    """Labels of the initialised tokens under ``conf_path`` (asks ``softhsm2-util``)."""
    output = _run_util(conf_path, ["--show-slots"])
    labels = []
    for line in output.splitlines():
        name, _, value = line.strip().partition(":")
        if name == "Label" and value.strip():
            labels.append(value.strip())
    return labels


def init_token(
    conf_path: str | os.PathLike[str], label: str, so_pin: str, user_pin: str
) -> None:
    """Initialise a token labelled ``label`` in the first free slot; no-op if one exists."""
    if label in token_labels(conf_path):
        return
    _run_util(
        conf_path,
        ["--init-token", "--free", "--label", label, "--so-pin", so_pin, "--pin", user_pin],
    )


def _run_util(conf_path: str | os.PathLike[str], arguments: list[str]) -> str:
    """Run ``softhsm2-util`` against ``conf_path``; SignerError with its stderr on failure."""
    executable = shutil.which(_UTIL)
    if executable is None:
        raise SignerError(
            f"{_UTIL} not found on PATH; install it with `sudo apt-get install softhsm2`"
        )
    environment = {**os.environ, "SOFTHSM2_CONF": str(Path(conf_path).resolve())}
    result = subprocess.run(
        [executable, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip() or f"exit status {result.returncode}"
        raise SignerError(f"{_UTIL} {arguments[0]} failed: {detail}")
    return result.stdout
