"""Node configuration: one TOML file per authority node, validated with one clear message per
problem.

Example (the devnet writes these)::

    [node]
    authority = "EGAT"
    data_dir = "egat"                  # relative paths are relative to this file
    genesis = "genesis.json"
    listen = "127.0.0.1:30301"         # peer transport
    client = "127.0.0.1:30401"         # local client endpoint (CLI, console)

    [peers]                            # authority name -> host:port
    MEA = "127.0.0.1:30302"
    PEA = "127.0.0.1:30303"

    [signer]
    backend = "pkcs11"                 # or "file" (development only)
    module = "/usr/lib/softhsm/libsofthsm2.so"
    token_label = "gridtokenx-devnet"
    key_label = "EGAT"
    pin_env = "GRIDTOKENX_PIN"         # the PIN is read from this variable, never stored
    softhsm_conf = "softhsm/softhsm2.conf"   # optional, SoftHSM2 only

    [consensus]                        # optional
    round_timeout_ms = 2000
    max_round_timeout_ms = 10000


    [cloud]                            # optional: absent = devnet, nothing cloud
    profile = "gcp.toml"               # a gcp profile (node_core.cloud.profile), checked here;
                                       # its [signer] backend = "kms" replaces [signer] above

    [alarms]                           # optional local alarm tuning (control_room.alarms.tuning);
    finality_stall_intervals = 5       # the limits themselves are governance parameters
    max_shelve_minutes = 480
    frequency = {deadband = 0.02, on_delay_ms = 1000, off_delay_ms = 5000}   # Hz
    voltage = {deadband = 0.5, on_delay_ms = 2000}   # percentage points of nominal

    [retention]                        # optional: how long this node keeps its own records
    audit_years = 7                    # operator audit trail (the regulator's 7 years)
    alarm_history_days = 730           # alarm events (ISA-18.2 reviews look back a year)
"""

from __future__ import annotations

import ipaddress
import logging
import time
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from node_core.api.client import NodeAddress
from node_core.api.wire import cookie_path
from node_core.backoff import Backoff
from node_core.consensus.timing import ConsensusConfig
from node_core.control_room.alarms.tuning import AlarmTuning, alarm_tuning, tuning_problems
from node_core.ledger.exceptions import GridTokenXError, TokenNotFound
from node_core.ledger.keys import (
    Signer,
)
from node_core.signers.file import FileSigner
from node_core.signers.pkcs11 import (
    Pkcs11Signer,
    TokenBusy,
    pin_from_environment,
    reload_module,
)
from node_core.signers.softhsm import activate_config, find_softhsm_module

_log = logging.getLogger(__name__)

TOKEN_SEARCH = Backoff(0.2, 1.6, jitter=False)
TOKEN_SEARCH_ATTEMPTS = 4
"""A starting node's waits before it re-initialises the PKCS#11 module and looks for its token
again (3 s in all): SoftHSM2 now and then shows no token, or a token without a user PIN, to a
process that reads the token's files while another process rewrites them (seen when a devnet's
three nodes start together, most often right after the devnet stopped)."""


class ConfigError(GridTokenXError):
    """The configuration file is wrong; the message lists every problem found."""


@dataclass(frozen=True, slots=True)
class SignerConfig:
    backend: str
    module: str = ""
    token_label: str = ""
    key_label: str = ""
    pin_env: str = "GRIDTOKENX_PIN"
    softhsm_conf: Path | None = None
    key_file: Path | None = None
    allow_file_signer: bool = False
    kms_key_version: str | None = None
    """With backend ``kms``, set from the gcp profile's ``[signer]`` (not from this file)."""
    kms_endpoint: str | None = None
    """A local KMS fake (``$KMS_EMULATOR_HOST``, read by the profile); None: Cloud KMS."""


@dataclass(frozen=True, slots=True)
class Retention:
    """How long the node keeps its local records (``[retention]``). The node prunes older
    ones when it starts and once a day (:meth:`node_core.control_room.room.ControlRoom.prune`)."""

    audit_years: int = 7
    """Operator audit trail; a year counts 366 days, so nothing younger is ever pruned."""
    alarm_history_days: int = 730
    """Alarm events (``alarm_history.sqlite3``)."""


@dataclass(frozen=True, slots=True)
class NodeConfig:
    authority: str
    data_dir: Path
    genesis: Path
    listen: tuple[str, int]
    client: tuple[str, int]
    peers: dict[str, tuple[str, int]]
    signer: SignerConfig
    consensus: ConsensusConfig = field(default_factory=ConsensusConfig)
    mempool_size: int = 50_000
    cloud_profile: Path | None = None
    """The gcp profile of ``[cloud] profile``: the node starts ``node_core.cloud.services``
    with it. None: a devnet node, nothing cloud."""
    alarms: AlarmTuning = field(default_factory=AlarmTuning)
    """Local alarm filters from ``[alarms]`` (the limits come from the chain)."""
    retention: Retention = field(default_factory=Retention)
    """How long the audit trail and the alarm history are kept (``[retention]``)."""

    @property
    def address(self) -> NodeAddress:
        """Its client endpoint and credential, for clients that have this file."""
        return NodeAddress(*self.client, cookie_path(self.data_dir))


_RETENTION_RANGES = {"audit_years": (1, 100), "alarm_history_days": (1, 36_600)}

_SECTIONS: dict[str, dict[str, type]] = {
    "node": {"authority": str, "data_dir": str, "genesis": str, "listen": str, "client": str,
             "mempool_size": int},
    "signer": {"backend": str, "module": str, "token_label": str, "key_label": str,
               "pin_env": str, "softhsm_conf": str, "key_file": str, "allow_file_signer": bool},
    "consensus": {"round_timeout_ms": int, "max_round_timeout_ms": int, "retransmit_ms": int},
    "cloud": {"profile": str},
    "retention": {"audit_years": int, "alarm_history_days": int},
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "node": ("authority", "data_dir", "genesis", "listen", "client"),
    "signer": ("backend",),
}


def parse_endpoint(text: str) -> tuple[str, int]:
    """``host:port`` (an IPv6 host in brackets: ``[::1]:30401``)."""
    host, _, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not host:port")
    return host, int(port)


def _loopback_endpoint(text: str) -> tuple[str, int]:
    """The client endpoint's address: loopback only — its credential is a file on this
    machine, and remote clients would need TLS with client certificates, which the node does
    not offer."""
    host, port = parse_endpoint(text)
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"[node] client {text!r}: the client endpoint listens on loopback "
                         "only (127.0.0.1 or ::1); reach a remote node through SSH port "
                         "forwarding")
    return host, port


def load_node_config(path: Path) -> NodeConfig:
    """Read and validate; raise ConfigError listing every problem."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read node configuration {path}: {error.strerror}; check "
                          "the path given with --config") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}; fix the line it names") from None
    problems = _problems(data)
    if problems:
        raise ConfigError(f"{path}:\n  " + "\n  ".join(problems))
    try:
        config = _build(data, Path(path).resolve().parent)
    except ValueError as error:
        raise ConfigError(f"{path}: {error}") from None
    if config.cloud_profile is not None:
        config = _with_cloud_signer(path, config, config.cloud_profile)
    return config


def _with_cloud_signer(path: Path, config: NodeConfig, profile_path: Path) -> NodeConfig:
    """Check the gcp profile; its ``[signer] backend = "kms"`` replaces this file's signer."""
    from node_core.cloud.profile import ProfileError, load_gcp_profile

    try:
        profile = load_gcp_profile(profile_path)
    except ProfileError as error:
        problems = [f"[cloud] profile {profile_path}: {problem}" for problem in error.problems]
        raise ConfigError(f"{path}:\n  " + "\n  ".join(problems)) from None
    if profile.signer.backend != "kms":
        return config
    return replace(config, signer=replace(
        config.signer, backend="kms", kms_key_version=profile.signer.kms_key_version,
        kms_endpoint=profile.emulators.kms))


def _problems(data: dict[str, Any]) -> list[str]:
    problems = [f"unknown section [{name}]" for name in data
                if name not in (*_SECTIONS, "peers", "operators", "alarms")]
    if "operators" in data:
        problems.append("[operators] is gone: who may do what is the authority's roster on the "
                        "chain (main.py roster add|remove, by its security administrator); "
                        "delete the section")
    problems += tuning_problems(data.get("alarms", {}))
    for section, keys in _SECTIONS.items():
        values = data.get(section, {})
        for key, value in values.items():
            if key not in keys:
                problems.append(f"[{section}] unknown key {key!r}")
            elif not isinstance(value, keys[key]):
                problems.append(f"[{section}] {key} must be a {keys[key].__name__}")
        problems += [f"[{section}] missing {key!r}" for key in _REQUIRED.get(section, ())
                     if key not in values]
    for key, (low, high) in _RETENTION_RANGES.items():
        value = data.get("retention", {}).get(key)
        if isinstance(value, int) and not low <= value <= high:
            problems.append(f"[retention] {key} must be within {low}..{high}")
    if data.get("signer", {}).get("backend") not in (None, "pkcs11", "file"):
        problems.append("[signer] backend must be 'pkcs11' or 'file'")
    return problems


def _build(data: dict[str, Any], base: Path) -> NodeConfig:
    node, signer = data["node"], data["signer"]

    def path(value: str | None) -> Path | None:
        return None if value is None else (base / value).resolve()

    return NodeConfig(
        authority=node["authority"],
        data_dir=base / node["data_dir"],
        genesis=base / node["genesis"],
        listen=parse_endpoint(node["listen"]),
        client=_loopback_endpoint(node["client"]),
        peers={name: parse_endpoint(text) for name, text in data.get("peers", {}).items()},
        signer=SignerConfig(
            backend=signer["backend"], module=signer.get("module", ""),
            token_label=signer.get("token_label", ""),
            key_label=signer.get("key_label", node["authority"]),
            pin_env=signer.get("pin_env", "GRIDTOKENX_PIN"),
            softhsm_conf=path(signer.get("softhsm_conf")), key_file=path(signer.get("key_file")),
            allow_file_signer=signer.get("allow_file_signer", False),
        ),
        consensus=ConsensusConfig(**data.get("consensus", {})),
        mempool_size=node.get("mempool_size", 50_000),
        cloud_profile=path(data.get("cloud", {}).get("profile")),
        alarms=alarm_tuning(data.get("alarms", {})),
        retention=Retention(**data.get("retention", {})),
    )


def open_signer(config: SignerConfig, *, reload_if_missing: bool = False) -> Signer:
    """Open the configured signer. The PIN (or key passphrase) comes from the environment
    variable the config names; it is used once and not kept. ``kms``: the gcp profile's
    Cloud KMS key version, whose public key is fetched now, so a wrong or unreachable key
    version fails here with a ``KmsError`` naming it. ``reload_if_missing``: a process that
    holds no other PKCS#11 session (a node starting) waits and initialises the module again
    (:data:`TOKEN_SEARCH`, :data:`TOKEN_SEARCH_ATTEMPTS` times) before concluding that the
    token is missing or has no user PIN (see :func:`node_core.signers.pkcs11.reload_module`)."""
    if config.backend == "kms" and config.kms_key_version is not None:
        from node_core.cloud.kms_signer import open_kms_signer

        return open_kms_signer(config.kms_key_version, config.kms_endpoint)
    if config.backend == "file":
        if config.key_file is None:
            raise ConfigError("[signer] backend 'file' needs key_file")
        return FileSigner.load(config.key_file, pin_from_environment(config.pin_env),
                               allow_file_signer=config.allow_file_signer)
    if config.softhsm_conf is not None:
        activate_config(config.softhsm_conf)
    module = config.module or find_softhsm_module()
    pin = pin_from_environment(config.pin_env)
    for failures in range(1, TOKEN_SEARCH_ATTEMPTS + 1) if reload_if_missing else ():
        try:
            return Pkcs11Signer.open(module, config.token_label, config.key_label, pin)
        except (TokenNotFound, TokenBusy) as error:
            delay_s = TOKEN_SEARCH.delay_s(failures)
            _log.warning("%s; looking again in %.1f s", error, delay_s)
        time.sleep(delay_s)  # a node starting: nothing else runs on its loop yet
        reload_module(module)
    return Pkcs11Signer.open(module, config.token_label, config.key_label, pin)
