"""``main.py config check FILE`` and ``main.py spanner schema``: the cloud side, checked.

``config check`` validates a ``gcp`` profile (``node_core.cloud.profile``) exactly as the
console does at start, then — unless ``--offline`` — asks the profile's Bigtable instance
(read-only, ``node_core.telemetry.bigtable_admin.check_instance``) whether the telemetry tables
and column families exist with the configured garbage collection, or may be created by this
account, naming the IAM role it lacks: ``OK`` (and notes on what the first writer will do)
and exit 0, or every problem on its own line on stderr and exit 2. ``spanner schema`` prints
the Spanner block sink's DDL, one statement per paragraph, each ended by ``;`` (ready for
``gcloud spanner databases ddl update --ddl-file``).

``config kms-identity FILE`` asks Cloud KMS for the public key of the profile's
``[signer] kms_key_version`` and prints the authority identity a genesis lists — ``address``
and ``public_key`` — as ``keys init --json`` does for a token key (``$KMS_EMULATOR_HOST``: a
local fake instead of Cloud KMS). Needs ``roles/cloudkms.publicKeyViewer`` or
``signerVerifier``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from node_core.cloud.profile import ProfileError, check_profile_file, load_gcp_profile
from node_core.cloud.spanner_sink import spanner_schema

EXIT_PROBLEMS = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = subparsers.add_parser("config", help="check a gcp profile without starting anything")
    config_actions = config.add_subparsers(dest="config_command", metavar="ACTION",
                                           required=True)
    check = config_actions.add_parser("check", help="validate a gcp profile (TOML)")
    check.add_argument("file", type=Path, metavar="FILE", help="the gcp profile to check")
    check.add_argument("--offline", action="store_true",
                       help="check the file only (do not ask the Bigtable instance)")
    check.set_defaults(handler=_check)
    identity = config_actions.add_parser(
        "kms-identity", help="print the address and public key of the profile's KMS key")
    identity.add_argument("file", type=Path, metavar="FILE", help="a gcp profile (TOML)")
    identity.set_defaults(handler=_kms_identity)
    spanner = subparsers.add_parser("spanner", help="the Spanner block sink")
    spanner_actions = spanner.add_subparsers(dest="spanner_command", metavar="ACTION",
                                             required=True)
    schema = spanner_actions.add_parser("schema", help="print the DDL of the sink's database")
    schema.set_defaults(handler=_schema)


def _check(args: argparse.Namespace) -> int:
    problems = check_profile_file(args.file)
    notes: list[str] = []
    if not problems and not args.offline:
        from node_core.telemetry.bigtable_admin import check_target

        target = load_gcp_profile(args.file).bigtable_target
        report = check_target(target)
        problems = [f"[bigtable] {problem}" for problem in report.problems]
        notes = [f"{target.describe()}: {note}" for note in report.notes]
    if not problems:
        print("\n".join(["OK", *notes]))
        return 0
    print(f"{args.file}: {len(problems)} problem{'s' if len(problems) > 1 else ''}",
          file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_PROBLEMS


def _kms_identity(args: argparse.Namespace) -> int:
    from node_core.cloud.kms_signer import open_kms_signer
    from node_core.ledger.exceptions import GridTokenXError

    try:
        profile = load_gcp_profile(args.file)
        if profile.signer.kms_key_version is None:
            print(f"{args.file}: [signer] backend is not 'kms'", file=sys.stderr)
            return EXIT_PROBLEMS
        signer = open_kms_signer(profile.signer.kms_key_version, profile.emulators.kms)
    except (ProfileError, GridTokenXError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(json.dumps({"address": signer.address, "public_key": bytes(signer.public_key).hex(),
                      "kms_key_version": signer.key_version_name}))
    return 0


def _schema(args: argparse.Namespace) -> int:
    print("\n\n".join(f"{statement};" for statement in spanner_schema()))
    return 0
