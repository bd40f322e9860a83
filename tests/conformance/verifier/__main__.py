"""``python -m tests.conformance.verifier DATA_DIR/chain.sqlite3``"""

import sys

from tests.conformance.verifier import verify

result = verify(sys.argv[1])
print(f"OK height {result.height} tip {result.tip} transactions {result.transactions}")
