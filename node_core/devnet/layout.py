"""The local devnet: three authorities (EGAT, MEA, PEA) on loopback with a real SoftHSM2 token.

``prepare_devnet(data_dir)`` creates, the first time only:

* ``softhsm/`` — a SoftHSM2 token directory and config with the authorities' token
  ``gridtokenx-devnet`` (user PIN ``DEVNET_PIN``, unlocked by the nodes; one P-256 key per
  authority, label = authority name) and **one token per person** of :data:`DEVNET_PEOPLE`
  (label = their name, their own PIN :func:`person_pin`, one key of that label) — the smart
  card model: each operator logs in to their own token. The grid feed (the simulator's
  attestations) is a machine subject with a token of its own too. Devnet PINs only.
* ``genesis.json`` — chain ``gridtokenx-devnet``, the three authorities, 1 s blocks, the
  simulated prosumer accounts, and the **roster**: every person of :data:`DEVNET_PEOPLE` on
  every authority's roster (on the devnet the same people staff the three control rooms);
* ``EGAT.toml``, ``MEA.toml``, ``PEA.toml`` — node configs; node data in ``EGAT/`` etc.
* ``telemetry/`` — the grid simulator's SQLite store and write buffer, when telemetry goes
  to no Bigtable (``node_core.telemetry.target``); with a ``cloud_profile`` each node config
  names that gcp profile (``[cloud]``), as a configured node does — the profile's
  ``[signer]`` must then be ``pkcs11`` (the devnet's token).

A second call on the same directory reuses all of it, so the chain continues.

Prosumers are simulated users whose keys derive from their index (``prosumer_signer``):
devnet only, never an authority key.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric import ec

from node_core.api.client import NodeAddress
from node_core.api.wire import cookie_path
from node_core.clock import now_ms
from node_core.ledger.exceptions import SignerError
from node_core.ledger.genesis import (
    AuthorityInfo,
    ChainParameters,
    Genesis,
    GenesisAccount,
    save_genesis,
)
from node_core.ledger.keys import CURVE_ORDER, parse_public_key, public_key_address
from node_core.ledger.roster import Role, RosterMember, sorted_roster
from node_core.ledger.types import PublicKey
from node_core.private_files import make_private, private_directory
from node_core.signers.file import FileSigner
from node_core.signers.pkcs11 import Pkcs11Signer
from node_core.signers.softhsm import find_softhsm_module, init_token, write_softhsm_config
from node_core.telemetry.target import SQLITE_FILENAME

AUTHORITIES: Final = ("EGAT", "MEA", "PEA")
CHAIN_ID: Final = "gridtokenx-devnet"
DEVNET_TOKEN: Final = "gridtokenx-devnet"
DEVNET_PIN: Final = "devnet-1234"
"""The devnet token's user PIN (documented in the README; devnet keys only)."""
DEVNET_SO_PIN: Final = "devnet-so-1234"
PIN_ENV: Final = "GRIDTOKENX_PIN"
DEVNET_PEOPLE: Final = (
    ("operator1", Role.OPERATOR), ("operator2", Role.OPERATOR),
    ("supervisor1", Role.SUPERVISOR), ("supervisor2", Role.SUPERVISOR),
    ("auditor1", Role.AUDITOR), ("secadm1", Role.SECURITY_ADMIN),
    ("gridfeed", Role.GRID_FEED))
"""The devnet's roster members and roles (documented in the README); each has a token."""
GRID_FEED: Final = "gridfeed"
FEED_PIN_ENV: Final = "GRIDTOKENX_FEED_PIN"


def person_pin(name: str) -> str:
    """The devnet PIN of ``name``'s own token (documented in the README; devnet only)."""
    return f"{name}-1234"
PROSUMER_BALANCE: Final = 10_000_000_000
"""Satang (100 million THB): enough for long load runs."""
PROSUMER_CREDITS: Final = 10_000_000_000
"""Wh."""


@dataclass(frozen=True, slots=True)
class DevnetLayout:
    """Where everything of one devnet lives, and its ports."""

    data_dir: Path
    base_port: int = 30300
    prosumers: int = 200
    authorities: tuple[str, ...] = AUTHORITIES
    cloud_profile: Path | None = None
    """A gcp profile every node config names (absolute path); None: devnet nodes, no cloud."""

    @property
    def genesis(self) -> Path:
        return self.data_dir / "genesis.json"

    @property
    def softhsm_conf(self) -> Path:
        return self.data_dir / "softhsm" / "softhsm2.conf"

    def config(self, authority: str) -> Path:
        return self.data_dir / f"{authority}.toml"

    def node_dir(self, authority: str) -> Path:
        return self.data_dir / authority

    def p2p_port(self, authority: str) -> int:
        return self.base_port + 1 + self.authorities.index(authority)

    def client_port(self, authority: str) -> int:
        return self.base_port + 101 + self.authorities.index(authority)

    @property
    def gridsim_port(self) -> int:
        """The grid simulator's live-sample endpoint."""
        return self.base_port + 200

    @property
    def telemetry_dir(self) -> Path:
        return self.data_dir / "telemetry"

    @property
    def telemetry_sqlite(self) -> Path:
        """The devnet's SQLite telemetry store (written by the grid simulator)."""
        return self.telemetry_dir / SQLITE_FILENAME

    def environment(self) -> dict[str, str]:
        """What a devnet process needs in its environment: the token directory, the nodes'
        PIN and the grid feed's (each process reads only its own)."""
        return {**os.environ, "SOFTHSM2_CONF": str(self.softhsm_conf), PIN_ENV: DEVNET_PIN,
                FEED_PIN_ENV: person_pin(GRID_FEED)}

    def node_address(self, authority: str) -> NodeAddress:
        return NodeAddress("127.0.0.1", self.client_port(authority),
                           cookie_path(self.node_dir(authority)))

    @property
    def gridsim_address(self) -> NodeAddress:
        return NodeAddress("127.0.0.1", self.gridsim_port, cookie_path(self.telemetry_dir))


def prosumer_signer(index: int) -> FileSigner:
    """The simulated prosumer ``index``'s key (devnet only, derived from the index)."""
    seed = hashlib.sha256(f"gridtokenx-devnet-prosumer-{index}".encode()).digest()
    secret = int.from_bytes(seed, "big") % (CURVE_ORDER - 1) + 1
    return FileSigner(ec.derive_private_key(secret, ec.SECP256R1()), allow_file_signer=True)


def prepare_devnet(layout: DevnetLayout, *, block_interval_ms: int = 1000,
                   empty_blocks: bool = False, founding: int | None = None) -> DevnetLayout:
    """Create the devnet's token, keys, genesis and configs unless they exist.

    ``founding``: only the first N authorities are in genesis; the others get keys and
    configs and can join through governance (``keys.json`` lists every key's identity).
    """
    private_directory(layout.data_dir)
    if not layout.genesis.exists():
        keys = _devnet_keys(layout)
        (layout.data_dir / "keys.json").write_text(json.dumps(
            {name: {"address": public_key_address(key), "public_key": bytes(key).hex()}
             for name, key in keys.items()}, indent=2), encoding="utf-8")
        authorities = [AuthorityInfo(name, public_key_address(keys[name]), keys[name])
                       for name in layout.authorities]
        _write_genesis(layout, authorities[:founding], keys, block_interval_ms, empty_blocks)
    else:
        write_softhsm_config(layout.softhsm_conf.parent)  # the directory may have moved
    for authority in layout.authorities:
        layout.config(authority).write_text(_node_config(layout, authority), encoding="utf-8")
    make_private(layout.data_dir)
    return layout


def _devnet_keys(layout: DevnetLayout) -> dict[str, PublicKey]:
    """The authority token and one token per person, then every key generated in one child
    process (SoftHSM2 reads its token list once per process, so not in this one)."""
    from node_core.node.process import main_command  # frozen bundle: the bundle itself

    conf = write_softhsm_config(layout.softhsm_conf.parent)
    init_token(conf, DEVNET_TOKEN, DEVNET_SO_PIN, DEVNET_PIN)
    for name, _role in DEVNET_PEOPLE:
        init_token(conf, name, DEVNET_SO_PIN, person_pin(name))
    labels = [*layout.authorities, *(name for name, _role in DEVNET_PEOPLE)]
    command = main_command("devnet-keys", "--softhsm-conf", str(layout.softhsm_conf), *labels)
    result = subprocess.run(command, env=layout.environment(), capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        raise SignerError(f"devnet keys not created: {result.stderr.strip()}")
    return {name: parse_public_key(bytes.fromhex(key))
            for name, key in json.loads(result.stdout).items()}


def generate_devnet_keys(labels: list[str]) -> dict[str, str]:
    """(In the key-generation child.) A new key per label: a person's of
    :data:`DEVNET_PEOPLE` on their own token, any other label an authority's on the authority
    token; hex public keys by label."""
    module = find_softhsm_module()
    people = {name for name, _role in DEVNET_PEOPLE}
    keys = {}
    for label in labels:
        token, pin = ((label, person_pin(label)) if label in people
                      else (DEVNET_TOKEN, DEVNET_PIN))
        with Pkcs11Signer.generate(module, token, label, pin) as signer:
            keys[label] = bytes(signer.public_key).hex()
    return keys


def _write_genesis(layout: DevnetLayout, authorities: list[AuthorityInfo],
                   keys: dict[str, PublicKey], block_interval_ms: int,
                   empty_blocks: bool) -> None:
    accounts = tuple(GenesisAccount(prosumer_signer(i).address, PROSUMER_BALANCE,
                                    PROSUMER_CREDITS) for i in range(layout.prosumers))
    genesis = Genesis(
        chain_id=CHAIN_ID, timestamp=now_ms(),
        authorities=tuple(authorities),
        parameters=ChainParameters(block_interval_ms=block_interval_ms,
                                   empty_blocks=int(empty_blocks)),
        accounts=accounts,
        roster=sorted_roster(RosterMember(authority.address, name, role, keys[name])
                             for authority in authorities for name, role in DEVNET_PEOPLE),
    )
    save_genesis(genesis, layout.genesis)


def _node_config(layout: DevnetLayout, authority: str) -> str:
    peers = "\n".join(f'{name} = "127.0.0.1:{layout.p2p_port(name)}"'
                      for name in layout.authorities if name != authority)
    return f"""# Devnet node {authority} (written by prepare_devnet; edits are overwritten)
[node]
authority = "{authority}"
data_dir = "{authority}"
genesis = "genesis.json"
listen = "127.0.0.1:{layout.p2p_port(authority)}"
client = "127.0.0.1:{layout.client_port(authority)}"

[peers]
{peers}

[signer]
backend = "pkcs11"
token_label = "{DEVNET_TOKEN}"
key_label = "{authority}"
pin_env = "{PIN_ENV}"
softhsm_conf = "softhsm/softhsm2.conf"
{_cloud_section(layout.cloud_profile)}"""


def _cloud_section(profile: Path | None) -> str:
    return "" if profile is None else f"\n[cloud]\nprofile = {json.dumps(str(profile))}\n"

