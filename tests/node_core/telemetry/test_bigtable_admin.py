"""Tables, families and GC rules from the configured retention; the instance check of
``config check`` on the real emulator, and its IAM advice against a wire-level fake."""

from __future__ import annotations

from datetime import timedelta

import pytest
from google.cloud.bigtable_admin_v2.types import ColumnFamily, Table

from node_core.telemetry import BigtableEmulator, BigtableTarget, Retention
from node_core.telemetry.bigtable_admin import (
    PERMISSION_ROLES,
    check_target,
    ensure_tables,
    family_changes,
    gc_rule,
)
from node_core.telemetry.bigtable_clients import admin_clients
from node_core.telemetry.layout import table_families
from tests.helpers.bigtable import bigtable_emulator, fresh_instance_id  # noqa: F401
from tests.node_core.telemetry.fake_bigtable_iam import FakeBigtableIam, serving

USER = {p for p, role in PERMISSION_ROLES.items() if role == "roles/bigtable.user"}


def families(target: BigtableTarget, table: str) -> dict[str, tuple[int, timedelta]]:
    """family → (max versions, max age) as the emulator holds them."""
    table_admin, _ = admin_clients(target)
    held = table_admin.get_table(name=f"{target.instance_path}/tables/{table}").column_families
    return {name: (family.gc_rule.union.rules[0].max_num_versions,
                   family.gc_rule.union.rules[1].max_age) for name, family in held.items()}


def test_writers_create_every_family_with_the_configured_garbage_collection(
        bigtable_emulator: BigtableEmulator) -> None:  # noqa: F811
    target = BigtableTarget("gridtokenx", fresh_instance_id(), bigtable_emulator.host_port,
                            Retention(raw_days=14, rollup_days=3650))
    report = check_target(target)
    assert report.problems == []
    assert report.notes == [f"table {t} is missing; the first writer creates it"
                            for t in ("GridMetrics", "TradingMetrics", "NodeMetrics")]

    table_admin, _ = admin_clients(target)
    ensure_tables(table_admin, target.instance_path, target.retention, 10.0)
    assert families(target, "GridMetrics")["frequency"] == (1, timedelta(days=14))
    assert families(target, "GridMetrics")["frequency_1m"] == (1, timedelta(days=3650))
    assert families(target, "TradingMetrics")["price"] == (1, timedelta(days=3650))
    assert check_target(target).notes == []

    longer = BigtableTarget(target.project, target.instance, target.emulator_host,
                            Retention(raw_days=30, rollup_days=3650))
    assert "NodeMetrics family consensus keeps data other than configured; the first writer " \
           "sets it" in check_target(longer).notes
    ensure_tables(table_admin, longer.instance_path, longer.retention, 10.0)
    assert families(longer, "NodeMetrics")["consensus"] == (1, timedelta(days=30))
    assert check_target(longer).notes == []


def design_tables(retention: Retention) -> dict[str, Table]:
    return {table: Table(column_families={
        change.family: ColumnFamily(gc_rule=change.rule)
        for change in family_changes(table, None, retention)}) for table in
        ("GridMetrics", "TradingMetrics", "NodeMetrics")}


@pytest.mark.parametrize(("granted", "tables", "problem"), [
    ({"bigtable.tables.readRows"}, {},
     "this account lacks bigtable.tables.list: grant roles/bigtable.user"),
    ({"bigtable.tables.list", "bigtable.tables.readRows"}, design_tables(Retention()),
     "this account lacks bigtable.tables.mutateRows on GridMetrics: grant roles/bigtable.user"),
    (USER, {}, "table GridMetrics is missing and this account may not create it: grant "
               "roles/bigtable.admin (bigtable.tables.create), or have an administrator do it"),
    (USER, design_tables(Retention(raw_days=7)),
     "GridMetrics family frequency keeps data other than configured and this account may "
     "not change it: grant roles/bigtable.admin (bigtable.tables.update), or have an "
     "administrator do it"),
])
def test_the_check_names_the_role_this_account_lacks(granted: set[str], tables: dict,
                                                     problem: str) -> None:
    with serving(FakeBigtableIam(granted, tables)) as host:
        report = check_target(BigtableTarget("gridtokenx-prod", "gridtokenx-metrics", host))
    assert problem in report.problems


def test_an_account_with_the_user_role_on_prepared_tables_passes() -> None:
    with serving(FakeBigtableIam(USER, design_tables(Retention()))) as host:
        report = check_target(BigtableTarget("gridtokenx-prod", "gridtokenx-metrics", host))
    assert (report.problems, report.notes) == ([], [])


def test_raw_and_rollup_families_age_out_separately() -> None:
    retention = Retention(raw_days=10, rollup_days=400)
    rules = {family: gc_rule(kind, retention).union.rules[1].max_age
             for family, kind in table_families("GridMetrics").items()}
    assert rules["voltage"] == timedelta(days=10)
    assert rules["voltage_1m"] == timedelta(days=400)
