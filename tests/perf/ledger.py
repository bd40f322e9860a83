"""Ledger throughput against the physical limit, signature verification.

Prints one JSON line:
  verify_per_s      raw P-256 verifications/s on one core (cryptography, cached key)
  apply_tx_per_s    signed transactions validated (signature included) and applied per second,
                    through apply_block over 1,000-transaction blocks, one core
  decode_apply_tx_per_s  the same starting from the blocks' wire bytes
  ratio             apply_tx_per_s / verify_per_s  (target >= 0.6)
"""

from __future__ import annotations

import argparse
import json
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from node_core.ledger.blocks import decode_block, encode_block
from node_core.ledger.transition import apply_block
from tests.helpers.chain import make_chain


def raw_verify_per_s(samples: int) -> float:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    algorithm = ec.ECDSA(Prehashed(hashes.SHA256()))
    digests = [i.to_bytes(32, "big") for i in range(samples)]
    signatures = [key.sign(d, algorithm) for d in digests]
    start = time.perf_counter()
    for digest, signature in zip(digests, signatures, strict=True):
        public.verify(signature, digest, algorithm)
    return samples / (time.perf_counter() - start)


def signed_blocks(tx_count: int, per_block: int):
    chain = make_chain(prosumer_count=200, balance=10**12, energy_credits=10**12)
    start_state = chain.state
    blocks = []
    for first in range(0, tx_count, per_block):
        txs = []
        for i in range(first, min(tx_count, first + per_block)):
            a, b = i % 200, (i * 7 + 3) % 200
            b = b if b != a else (a + 1) % 200
            txs.append(chain.transfer(a, b, 1 + i % 97) if i % 2 else chain.trade(a, b, 500, 420))
        block = chain.extend(txs)
        assert len(block.transactions) == len(txs), "every benchmark transaction must be valid"
        blocks.append(block)
    return start_state, blocks


def time_apply(start_state, blocks) -> float:
    state = start_state
    begin = time.perf_counter()
    for block in blocks:
        state = apply_block(state, block)
    return time.perf_counter() - begin


def time_decode_apply(start_state, encoded) -> float:
    state = start_state
    begin = time.perf_counter()
    for data in encoded:
        state = apply_block(state, decode_block(data))
    return time.perf_counter() - begin


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf ledger")
    parser.add_argument("--transactions", type=int, default=20_000)
    args = parser.parse_args(argv)
    start_state, blocks = signed_blocks(args.transactions, 1000)
    encoded = [encode_block(b) for b in blocks]
    verify = raw_verify_per_s(args.transactions)
    apply_s = time_apply(start_state, blocks)
    decode_apply_s = time_decode_apply(start_state, encoded)
    verify_again = raw_verify_per_s(args.transactions)
    verify_per_s = (verify + verify_again) / 2
    apply_per_s = args.transactions / apply_s
    print(json.dumps({
        "transactions": args.transactions,
        "verify_per_s": round(verify_per_s),
        "apply_tx_per_s": round(apply_per_s),
        "decode_apply_tx_per_s": round(args.transactions / decode_apply_s),
        "ratio": round(apply_per_s / verify_per_s, 3),
    }))
    return 0
