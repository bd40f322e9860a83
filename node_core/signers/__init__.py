"""Where an authority's signing key lives.

* ``pkcs11`` — a key on a PKCS#11 token (an HSM; SoftHSM2 on the devnet)
* ``softhsm`` — SoftHSM2 configuration and tokens for the devnet and tests
* ``file`` — a development key in an encrypted file (tests and development only)

(Cloud KMS is :mod:`node_core.cloud.kms_signer`.)
"""
