"""Devnets on a gcp profile: the profile file, node configs that use it, and ``chain verify``.

Every node of such a devnet reads the same profile; the per-authority names (consensus
subscription ``consensus-<authority>``) derive from the authority."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass

from app.cli import main
from node_core.devnet.layout import DevnetLayout


@dataclass(frozen=True)
class ProfileSpec:
    project: str
    transport: str = "tcp"
    spanner_database: str = "blockchain-state"
    block_sink: bool = False
    api_base_url: str = "http://127.0.0.1:9"
    kms_key_version: str | None = None
    monitoring_interval_s: int = 60
    alerts_subscription: str = "grid-monitor-sub"


def profile_text(spec: ProfileSpec) -> str:
    signer = (f'backend = "kms"\nkms_key_version = "{spec.kms_key_version}"'
              if spec.kms_key_version else 'backend = "pkcs11"')
    return f"""[gcp]
project = "{spec.project}"

[spanner]
instance = "gridtokenx-instance"
database = "{spec.spanner_database}"
block_sink = {str(spec.block_sink).lower()}

[bigtable]
instance = "gridtokenx-metrics"

[pubsub]
consensus_transport = "{spec.transport}"
grid_alerts_subscription = "{spec.alerts_subscription}"

[backend]
api_base_url = "{spec.api_base_url}"

[signer]
{signer}

[monitoring]
interval_s = {spec.monitoring_interval_s}
"""


def use_profile(layout: DevnetLayout, authority: str, spec: ProfileSpec, *,
                tcp_peers: bool = True) -> None:
    """Point ``authority``'s node config at a profile written for it; without ``tcp_peers``
    the node knows no TCP address of any other authority."""
    profile = layout.data_dir / f"gcp-{authority}.toml"
    profile.write_text(profile_text(spec), encoding="utf-8")
    config = layout.config(authority)
    text = config.read_text(encoding="utf-8")
    if not tcp_peers:
        text = re.sub(r"^\[peers\]\n(?:[A-Z]+ = .*\n)*", "[peers]\n", text, flags=re.MULTILINE)
    config.write_text(text + f'\n[cloud]\nprofile = "{profile.name}"\n', encoding="utf-8")


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def verify_chains(layout: DevnetLayout) -> None:
    for name in layout.authorities:
        assert main(["chain", "verify", "--data-dir", str(layout.node_dir(name))]) == 0
