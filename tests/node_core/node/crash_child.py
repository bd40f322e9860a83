"""Child process for the crash-safety test: commits blocks in a loop until killed."""

import sys
from pathlib import Path

from node_core.ledger.transition import apply_block
from node_core.node.store import STORE_FILENAME, BlockStore
from tests.helpers.chain import make_chain


def main(data_dir: str) -> None:
    chain = make_chain(prosumer_count=6)
    store = BlockStore.open(Path(data_dir) / STORE_FILENAME, chain.genesis)
    chain.state = store.load_state()
    print("ready", chain.state.height, flush=True)
    step = chain.state.height
    while True:
        step += 1
        txs = [chain.transfer(i % 6, (i + 1) % 6, 1 + step % 7) for i in range(step % 4)]
        block = chain.propose(txs)
        chain.state = apply_block(chain.state, block)
        store.commit_block(block, chain.state)


if __name__ == "__main__":
    main(sys.argv[1])
