"""Profiles: where the console's backend lives. ``devnet`` (the default) needs nothing: the
local devnet is the whole world. ``gcp`` is a TOML file naming the shared estate on Google
Cloud, validated at start with one clear message per problem — the same checks as
``python main.py config check FILE``.

Example (``resources/gcp-profile.example.toml``)::

    [gcp]
    project = "gridtokenx-prod"
    credentials = "application-default"    # the only choice: Application Default Credentials

    [spanner]
    instance = "gridtokenx-instance"
    database = "blockchain-state"
    block_sink = true                      # optional, default false

    [bigtable]
    instance = "gridtokenx-metrics"
    raw_retention_days = 35                # optional: GC of raw samples (1 s grid, 5 s node)
    rollup_retention_days = 2557           # optional: per-minute rollups, TradingMetrics

    [pubsub]                               # optional; these are the defaults
    blockchain_events_topic = "blockchain-events"
    grid_alerts_subscription = "grid-monitor-sub"
    consensus_topic = "consensus-messages"
    consensus_transport = "tcp"            # or "pubsub" (node_core.cloud.consensus_transport)

    [monitoring]                           # optional
    interval_s = 60                        # one CreateTimeSeries batch per interval (>= 10)

    [backend]
    api_base_url = "https://api.gridtokenx.example"

    [signer]
    backend = "kms"                        # or "pkcs11" (the node config's [signer])
    kms_key_version = "projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/1"

Emulators are chosen outside the file, through the standard variables
``PUBSUB_EMULATOR_HOST``, ``SPANNER_EMULATOR_HOST`` and ``BIGTABLE_EMULATOR_HOST``
(``host:port``), read when the profile is loaded and checked like the file. Cloud Monitoring
and Cloud KMS have no emulator; ``MONITORING_EMULATOR_HOST`` and ``KMS_EMULATOR_HOST`` (ours,
same shape) point their clients at a plaintext gRPC server on this machine — the wire-level
fakes of the tests — and must name a loopback host.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from node_core.ledger.exceptions import GridTokenXError
from node_core.telemetry.layout import Retention, retention_of, retention_problems
from node_core.telemetry.target import BigtableTarget

DEVNET: Final = "devnet"
GCP: Final = "gcp"
APPLICATION_DEFAULT: Final = "application-default"
EMULATOR_VARIABLES: Final = ("PUBSUB_EMULATOR_HOST", "SPANNER_EMULATOR_HOST",
                             "BIGTABLE_EMULATOR_HOST", "MONITORING_EMULATOR_HOST",
                             "KMS_EMULATOR_HOST")
LOOPBACK_ONLY: Final = ("MONITORING_EMULATOR_HOST", "KMS_EMULATOR_HOST")
"""Plaintext endpoints for services without an emulator: loopback hosts only."""
MIN_MONITORING_INTERVAL_S: Final = 10
SIGNER_BACKENDS: Final = ("pkcs11", "kms")
CONSENSUS_TRANSPORTS: Final = ("tcp", "pubsub")


class ProfileError(GridTokenXError):
    """The profile is wrong; ``problems`` lists every problem found, one line each."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}:\n  " + "\n  ".join(problems))
        self.problems = problems


# --- what a profile holds ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpannerIds:
    instance: str
    database: str
    block_sink: bool = False
    """Write finalized blocks to Spanner (``node_core.cloud.spanner_sink``)."""


@dataclass(frozen=True, slots=True)
class PubSubNames:
    blockchain_events_topic: str = "blockchain-events"
    grid_alerts_subscription: str = "grid-monitor-sub"
    consensus_topic: str = "consensus-messages"
    consensus_transport: str = "tcp"
    """``tcp`` (direct links) or ``pubsub`` (``ConsensusTransport``)."""


@dataclass(frozen=True, slots=True)
class SignerChoice:
    backend: str
    """``pkcs11`` (the node config's token) or ``kms``."""
    kms_key_version: str | None = None
    """Full CryptoKeyVersion resource name, with ``kms``."""


@dataclass(frozen=True, slots=True)
class EmulatorHosts:
    """``host:port`` of each emulator in use, from the ``*_EMULATOR_HOST`` variables."""

    pubsub: str | None = None
    spanner: str | None = None
    bigtable: str | None = None
    monitoring: str | None = None
    """A local Cloud Monitoring fake (plaintext gRPC), for tests."""
    kms: str | None = None
    """A local Cloud KMS fake (plaintext gRPC), for tests."""


@dataclass(frozen=True, slots=True)
class DevnetProfile:
    """The default: no cloud; everything comes from the local devnet."""

    name: str = DEVNET


@dataclass(frozen=True, slots=True)
class GcpProfile:
    """The shared GridTokenX estate on Google Cloud."""

    project: str
    spanner: SpannerIds
    bigtable_instance: str
    pubsub: PubSubNames
    api_base_url: str
    signer: SignerChoice
    emulators: EmulatorHosts
    credentials: str = APPLICATION_DEFAULT
    monitoring_interval_s: int = 60
    """Seconds between two ``CreateTimeSeries`` batches (``[monitoring] interval_s``)."""
    bigtable_retention: Retention = field(default_factory=Retention)
    """GC rules of the telemetry families (``[bigtable] *_retention_days``)."""
    name: str = GCP

    @property
    def bigtable_target(self) -> BigtableTarget:
        """Where the console, the node and the grid simulator keep telemetry."""
        return BigtableTarget(self.project, self.bigtable_instance, self.emulators.bigtable,
                              self.bigtable_retention)


Profile = DevnetProfile | GcpProfile


# --- the schema --------------------------------------------------------------------------------

_SECTIONS: Final[Mapping[str, Mapping[str, type]]] = {
    "gcp": {"project": str, "credentials": str},
    "spanner": {"instance": str, "database": str, "block_sink": bool},
    "bigtable": {"instance": str, "raw_retention_days": int, "rollup_retention_days": int},
    "pubsub": {"blockchain_events_topic": str, "grid_alerts_subscription": str,
               "consensus_topic": str, "consensus_transport": str},
    "backend": {"api_base_url": str},
    "signer": {"backend": str, "kms_key_version": str},
    "monitoring": {"interval_s": int},
}
_REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    "gcp": ("project",),
    "spanner": ("instance", "database"),
    "bigtable": ("instance",),
    "backend": ("api_base_url",),
    "signer": ("backend",),
}
_ID_RULES: Final[Mapping[tuple[str, str], tuple[re.Pattern[str], str]]] = {
    ("gcp", "project"): (re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]"),
                         "6-30 lowercase letters, digits or hyphens, starting with a letter"),
    ("spanner", "instance"): (re.compile(r"[a-z][a-z0-9-]{0,62}[a-z0-9]"),
                              "2-64 lowercase letters, digits or hyphens, starting with a letter"),
    ("spanner", "database"): (re.compile(r"[a-z][a-z0-9_-]{0,28}[a-z0-9]"),
                              "2-30 lowercase letters, digits, _ or -, starting with a letter"),
    ("bigtable", "instance"): (re.compile(r"[a-z][a-z0-9-]{4,31}[a-z0-9]"),
                               "6-33 lowercase letters, digits or hyphens, starting with a "
                               "letter"),
}
_PUBSUB_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}")
_KMS_KEY_VERSION: Final = re.compile(
    r"projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+/cryptoKeyVersions/\d+")
_HOST_PORT: Final = re.compile(r"[A-Za-z0-9.\-]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5}")
_LOCAL_HOSTS: Final = ("localhost", "127.0.0.1", "::1")


# --- loading -----------------------------------------------------------------------------------


def load_profile(path: Path | None = None,
                 environ: Mapping[str, str] | None = None) -> Profile:
    """``devnet`` without a file; else the file's ``gcp`` profile (``load_gcp_profile``)."""
    return DevnetProfile() if path is None else load_gcp_profile(path, environ)


def load_gcp_profile(path: Path, environ: Mapping[str, str] | None = None) -> GcpProfile:
    """Read and validate a gcp profile; raise ``ProfileError`` listing every problem."""
    env = os.environ if environ is None else environ
    data, problems = _read(path)
    problems += profile_problems(data, env) if data is not None else []
    if problems or data is None:
        raise ProfileError(str(path), problems)
    return _build(data, env)


def check_profile_file(path: Path, environ: Mapping[str, str] | None = None) -> list[str]:
    """Every problem of the profile at ``path`` (empty: it is fine). Starts nothing."""
    try:
        load_gcp_profile(path, environ)
    except ProfileError as error:
        return error.problems
    return []


def _read(path: Path) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8")), []
    except OSError as error:
        return None, [f"cannot read the file: {error.strerror or error}"]
    except UnicodeDecodeError:
        return None, ["not UTF-8 text"]
    except tomllib.TOMLDecodeError as error:
        return None, [f"not valid TOML: {error}"]


def profile_problems(data: Mapping[str, Any], environ: Mapping[str, str]) -> list[str]:
    """Every problem of a parsed profile and of the emulator variables, one line each."""
    problems = [f"unknown section [{name}]" if isinstance(value, dict)
                else f"unknown top-level key {name!r} (keys belong in a [section])"
                for name, value in data.items() if name not in _SECTIONS]
    for section, keys in _SECTIONS.items():
        problems += _section_problems(section, keys, data.get(section, {}))
    return problems + _value_problems(data) + _emulator_problems(environ)


def _section_problems(section: str, keys: Mapping[str, type], values: Any) -> list[str]:
    if not isinstance(values, dict):
        return [f"{section} must be a [{section}] table"]
    problems = []
    for key, value in values.items():
        if key not in keys:
            problems.append(f"[{section}] unknown key {key!r}")
        elif not isinstance(value, keys[key]) or (keys[key] is int and isinstance(value, bool)):
            expected = _type_name(keys[key])
            article = "an" if expected[0] in "aeiou" else "a"
            problems.append(f"[{section}] {key} must be {article} {expected}, "
                            f"not {_type_name(type(value))}")
    missing = [key for key in _REQUIRED.get(section, ()) if key not in values]
    return problems + [f"[{section}] missing {key!r}" for key in missing]


def _type_name(kind: type) -> str:
    return {str: "string", bool: "boolean", int: "integer", float: "number",
            dict: "table", list: "array"}.get(kind, kind.__name__)


def _text(data: Mapping[str, Any], section: str, key: str) -> str | None:
    """The value if it is a string in a table (type problems are reported elsewhere)."""
    table = data.get(section)
    value = table.get(key) if isinstance(table, dict) else None
    return value if isinstance(value, str) else None


def _value_problems(data: Mapping[str, Any]) -> list[str]:
    problems = [f"[{section}] {key} {value!r} is not a valid id: {rule}"
                for (section, key), (pattern, rule) in _ID_RULES.items()
                if (value := _text(data, section, key)) is not None
                and not pattern.fullmatch(value)]
    problems += _pubsub_problems(data)
    problems += _choice_problems(data)
    problems += _url_problems(_text(data, "backend", "api_base_url"))
    problems += _interval_problems(data)
    bigtable = data.get("bigtable")
    problems += retention_problems(bigtable) if isinstance(bigtable, dict) else []
    return problems + _signer_problems(data)


def _interval_problems(data: Mapping[str, Any]) -> list[str]:
    table = data.get("monitoring")
    value = table.get("interval_s") if isinstance(table, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) \
            and value < MIN_MONITORING_INTERVAL_S:
        return [f"[monitoring] interval_s must be at least {MIN_MONITORING_INTERVAL_S} "
                f"(Cloud Monitoring's limit per series), not {value}"]
    return []


def _pubsub_problems(data: Mapping[str, Any]) -> list[str]:
    names = ("blockchain_events_topic", "grid_alerts_subscription", "consensus_topic")
    return [f"[pubsub] {key} {value!r} is not a valid Pub/Sub name: 3-255 letters, digits or "
            "- _ . ~ + %, starting with a letter, not starting with 'goog'"
            for key in names
            if (value := _text(data, "pubsub", key)) is not None
            and (not _PUBSUB_NAME.fullmatch(value) or value.lower().startswith("goog"))]


def _choice_problems(data: Mapping[str, Any]) -> list[str]:
    problems = []
    credentials = _text(data, "gcp", "credentials")
    if credentials not in (None, APPLICATION_DEFAULT):
        problems.append(f"[gcp] credentials must be {APPLICATION_DEFAULT!r} (Application "
                        f"Default Credentials), not {credentials!r}")
    transport = _text(data, "pubsub", "consensus_transport")
    if transport not in (None, *CONSENSUS_TRANSPORTS):
        problems.append(f"[pubsub] consensus_transport must be 'tcp' or 'pubsub', "
                        f"not {transport!r}")
    return problems


def _url_problems(url: str | None) -> list[str]:
    if url is None:
        return []
    parts = urlsplit(url)
    local = parts.hostname in _LOCAL_HOSTS
    if parts.scheme == "https" or (parts.scheme == "http" and local):
        return [] if parts.hostname else [f"[backend] api_base_url {url!r} has no host"]
    return [f"[backend] api_base_url {url!r} must be an https:// URL "
            "(http:// only for localhost)"]


def _signer_problems(data: Mapping[str, Any]) -> list[str]:
    backend = _text(data, "signer", "backend")
    key_version = _text(data, "signer", "kms_key_version")
    if backend is not None and backend not in SIGNER_BACKENDS:
        return [f"[signer] backend must be 'pkcs11' or 'kms', not {backend!r}"]
    if backend == "kms" and key_version is None and not _has(data, "signer", "kms_key_version"):
        return ["[signer] backend 'kms' needs kms_key_version"]
    if backend == "pkcs11" and _has(data, "signer", "kms_key_version"):
        return ["[signer] kms_key_version is only used with backend 'kms'"]
    if key_version is not None and not _KMS_KEY_VERSION.fullmatch(key_version):
        return [f"[signer] kms_key_version {key_version!r} is not a CryptoKeyVersion name "
                "(projects/P/locations/L/keyRings/R/cryptoKeys/K/cryptoKeyVersions/N)"]
    return []


def _has(data: Mapping[str, Any], section: str, key: str) -> bool:
    table = data.get(section)
    return isinstance(table, dict) and key in table


def _emulator_problems(environ: Mapping[str, str]) -> list[str]:
    problems = []
    for name in EMULATOR_VARIABLES:
        value = environ.get(name)
        if not value:
            continue
        if not _HOST_PORT.fullmatch(value):
            problems.append(f"${name}={value!r} is not host:port")
        elif name in LOOPBACK_ONLY and value.rsplit(":", 1)[0].strip("[]") not in _LOCAL_HOSTS:
            problems.append(f"${name}={value!r} must be a loopback host (it is a plaintext "
                            "endpoint for a local fake)")
    return problems


def _build(data: Mapping[str, Any], environ: Mapping[str, str]) -> GcpProfile:
    gcp, spanner, signer = data["gcp"], data["spanner"], data["signer"]
    return GcpProfile(
        project=gcp["project"],
        spanner=SpannerIds(spanner["instance"], spanner["database"],
                           spanner.get("block_sink", False)),
        bigtable_instance=data["bigtable"]["instance"],
        pubsub=PubSubNames(**data.get("pubsub", {})),
        api_base_url=data["backend"]["api_base_url"].rstrip("/"),
        signer=SignerChoice(signer["backend"], signer.get("kms_key_version")),
        emulators=EmulatorHosts(*(environ.get(name) or None for name in EMULATOR_VARIABLES)),
        credentials=gcp.get("credentials", APPLICATION_DEFAULT),
        monitoring_interval_s=data.get("monitoring", {}).get("interval_s", 60),
        bigtable_retention=retention_of(data["bigtable"]),
    )
