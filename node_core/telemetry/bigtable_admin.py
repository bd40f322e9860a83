"""The telemetry instance's tables, column families and garbage-collection rules.

``ensure_tables`` (a writer, before its first write) creates what is missing and sets each
family's GC rule from the configured :class:`~node_core.telemetry.layout.Retention`;
``check_instance`` (``main.py config check``) only reads: it reports what is missing or
different and whether this account may fix it, naming the IAM role it lacks. Both are
blocking calls of the admin API: run them in a worker thread.

IAM (Cloud Bigtable): ``roles/bigtable.user`` reads and writes rows and lists tables;
creating tables and changing column families (``bigtable.tables.create``/``update``) needs
``roles/bigtable.admin`` — an administrator can instead create the tables once. The check asks
``TestIamPermissions`` of the instance (list, create) and of each existing table (read, write,
update); a server without IAM (the emulator answers UNIMPLEMENTED) grants everything.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

from google.api_core import exceptions as api_errors
from google.cloud.bigtable_admin_v2.types import GcRule

from node_core.telemetry.bigtable_clients import admin_clients
from node_core.telemetry.layout import FamilyKind, Retention, table_families
from node_core.telemetry.series import TABLE_FAMILIES
from node_core.telemetry.target import BigtableTarget

_log = logging.getLogger(__name__)

USER_ROLE: Final = "roles/bigtable.user"
ADMIN_ROLE: Final = "roles/bigtable.admin"
PERMISSION_ROLES: Final[Mapping[str, str]] = {
    "bigtable.tables.list": USER_ROLE, "bigtable.tables.readRows": USER_ROLE,
    "bigtable.tables.mutateRows": USER_ROLE, "bigtable.tables.create": ADMIN_ROLE,
    "bigtable.tables.update": ADMIN_ROLE,
}
"""What the telemetry store does on the instance, and the predefined role that grants it."""
INSTANCE_PERMISSIONS: Final = ("bigtable.tables.list", "bigtable.tables.create")
TABLE_PERMISSIONS: Final = ("bigtable.tables.readRows", "bigtable.tables.mutateRows",
                            "bigtable.tables.update")


def gc_rule(kind: FamilyKind, retention: Retention) -> GcRule:
    """One version per cell, and nothing older than the family kind's retention."""
    return GcRule({"union": {"rules": [  # type: ignore[no-untyped-call]
        {"max_num_versions": 1}, {"max_age": timedelta(days=retention.days(kind))}]}})


@dataclass(frozen=True, slots=True)
class FamilyChange:
    """A family to create, or whose GC rule to set, in one table."""

    table: str
    family: str
    create: bool
    rule: GcRule


def family_changes(table: str, existing: Mapping[str, Any] | None,
                   retention: Retention) -> list[FamilyChange]:
    """What ``table`` needs (``existing``: its column families, None if the table is missing)."""
    changes = []
    for family, kind in table_families(table).items():
        rule = gc_rule(kind, retention)
        have = None if existing is None else existing.get(family)
        if have is None or have.gc_rule != rule:
            changes.append(FamilyChange(table, family, have is None, rule))
    return changes


def ensure_tables(admin: Any, instance_path: str, retention: Retention,
                  timeout_s: float) -> None:
    """Create the missing tables and families; set GC rules that differ (a denied update is
    logged and left: the data is still written)."""
    options = {"retry": None, "timeout": timeout_s}
    tables = {t.name.rsplit("/", 1)[-1] for t in admin.list_tables(parent=instance_path,
                                                                   **options)}
    for table in TABLE_FAMILIES:
        name = f"{instance_path}/tables/{table}"
        if table not in tables:
            _create_table(admin, instance_path, table, retention, options)
            continue
        existing = admin.get_table(name=name, **options).column_families
        changes = family_changes(table, existing, retention)
        if changes:
            _modify(admin, name, changes, options)


def _create_table(admin: Any, instance_path: str, table: str, retention: Retention,
                  options: dict[str, Any]) -> None:
    families = {change.family: {"gc_rule": change.rule}
                for change in family_changes(table, None, retention)}
    try:
        admin.create_table(parent=instance_path, table_id=table,
                           table={"column_families": families}, **options)
    except api_errors.AlreadyExists:  # another writer of the instance was faster
        _modify(admin, f"{instance_path}/tables/{table}", family_changes(
            table, admin.get_table(name=f"{instance_path}/tables/{table}",
                                   **options).column_families, retention), options)


def _modify(admin: Any, name: str, changes: list[FamilyChange],
            options: dict[str, Any]) -> None:
    if not changes:
        return
    modifications = [{"id": c.family, "create" if c.create else "update": {"gc_rule": c.rule}}
                     for c in changes]
    try:
        admin.modify_column_families(name=name, modifications=modifications, **options)
    except api_errors.PermissionDenied as error:
        _log.warning("cannot set the column families of %s (%s needed): %s", name,
                     ADMIN_ROLE, error.message)


# --- config check ----------------------------------------------------------------------------


@dataclass(slots=True)
class InstanceReport:
    """What ``config check`` says about the telemetry instance."""

    problems: list[str] = field(default_factory=list)
    """Each one stops the check (exit 2): the store would not work, or not as configured."""
    notes: list[str] = field(default_factory=list)
    """What the first writer will do by itself (create a table, set a GC rule)."""


def check_instance(table_admin: Any, instance_admin: Any, instance_path: str,
                   retention: Retention, timeout_s: float) -> InstanceReport:
    """Tables, families and GC rules as configured, or creatable by this account. Instance
    permissions (list, create) are asked of the instance, row and family permissions of each
    table that exists."""
    options = {"retry": None, "timeout": timeout_s}
    report = InstanceReport()
    granted = granted_permissions(instance_admin, instance_path, INSTANCE_PERMISSIONS, options)
    if "bigtable.tables.list" not in granted:
        return _lacking(report, "bigtable.tables.list")
    tables = {t.name.rsplit("/", 1)[-1] for t in table_admin.list_tables(
        parent=instance_path, **options)}
    for table in TABLE_FAMILIES:
        name = f"{instance_path}/tables/{table}"
        existing = (table_admin.get_table(name=name, **options).column_families
                    if table in tables else None)
        on_table = granted | (granted_permissions(table_admin, name, TABLE_PERMISSIONS, options)
                              if existing is not None else set())
        for permission in ("bigtable.tables.readRows", "bigtable.tables.mutateRows"):
            if existing is not None and permission not in on_table:
                return _lacking(report, permission, table)
        _judge(report, table, existing, family_changes(table, existing, retention), on_table)
    return report


def granted_permissions(admin: Any, resource: str, permissions: tuple[str, ...],
                        options: Mapping[str, Any]) -> set[str]:
    """Which of ``permissions`` this account holds on ``resource`` (an instance or table)."""
    try:
        answer = admin.test_iam_permissions(
            request={"resource": resource, "permissions": list(permissions)}, **options)
    except api_errors.MethodNotImplemented:  # the emulator: no IAM, everything allowed
        return set(permissions)
    return set(answer.permissions)


def _lacking(report: InstanceReport, permission: str, table: str | None = None
             ) -> InstanceReport:
    where = f" on {table}" if table else ""
    report.problems.append(f"this account lacks {permission}{where}: grant "
                           f"{PERMISSION_ROLES[permission]}")
    return report


def _judge(report: InstanceReport, table: str, existing: Mapping[str, Any] | None,
           changes: list[FamilyChange], granted: set[str]) -> None:
    if existing is None:
        _need(report, "bigtable.tables.create", granted,
              f"table {table} is missing; the first writer creates it",
              f"table {table} is missing and this account may not create it")
        return
    for change in changes:
        what = "is missing" if change.create else "keeps data other than configured"
        _need(report, "bigtable.tables.update", granted,
              f"{table} family {change.family} {what}; the first writer sets it",
              f"{table} family {change.family} {what} and this account may not change it")


def _need(report: InstanceReport, permission: str, granted: set[str], note: str,
          problem: str) -> None:
    if permission in granted:
        report.notes.append(note)
    else:
        report.problems.append(f"{problem}: grant {PERMISSION_ROLES[permission]} "
                               f"({permission}), or have an administrator do it")


def check_target(target: BigtableTarget, timeout_s: float = 10.0) -> InstanceReport:
    """``check_instance`` on ``target``; a Bigtable that cannot be reached, or no credentials,
    is one problem naming it."""
    try:
        table_admin, instance_admin = admin_clients(target)
        return check_instance(table_admin, instance_admin, target.instance_path,
                              target.retention, timeout_s)
    except api_errors.NotFound as error:
        return InstanceReport([f"instance {target.instance_path} not found: {error.message}"])
    except Exception as error:  # no credentials, unreachable, refused: one line each
        return InstanceReport([f"cannot check {target.describe()}: {_reason(error)}"])


def _reason(error: Exception) -> str:
    if isinstance(error, api_errors.GoogleAPICallError):
        status = error.grpc_status_code
        return f"{status.name if status else type(error).__name__}: {error.message}"
    if type(error).__name__ == "DefaultCredentialsError":
        return ("no Application Default Credentials (a service account on the VM, or "
                "`gcloud auth application-default login`)")
    return f"{type(error).__name__}: {error}"
