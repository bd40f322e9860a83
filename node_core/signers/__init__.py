"""Where a signing key lives: an authority's, or a person's own.

* ``pkcs11`` — a key on a PKCS#11 token (an HSM; SoftHSM2 on the devnet)
* ``agent`` — a person's token held open by an operator agent, a child process the console
  talks to over a pipe (``main.py operator-agent``), as a ``Signer``
* ``softhsm`` — SoftHSM2 configuration and tokens for the devnet and tests
* ``file`` — a development key in an encrypted file (tests and development only)

(Cloud KMS is :mod:`node_core.cloud.kms_signer`.)
"""
