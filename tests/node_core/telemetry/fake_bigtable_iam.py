"""A wire-level fake of the Bigtable admin API where IAM is enforced.

The emulator has no IAM (``TestIamPermissions`` is UNIMPLEMENTED there), so the tests of
``config check``'s role advice serve the admin RPCs it calls — ``TestIamPermissions`` on the
instance and its tables, ``ListTables`` and ``GetTable`` — from a local gRPC server speaking
the real protobuf messages, reached like an emulator through ``$BIGTABLE_EMULATOR_HOST``.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager

import grpc
from google.cloud.bigtable_admin_v2.types import (
    GetTableRequest,
    ListTablesRequest,
    ListTablesResponse,
    Table,
)
from google.iam.v1 import iam_policy_pb2

INSTANCE_ADMIN = "google.bigtable.admin.v2.BigtableInstanceAdmin"
TABLE_ADMIN = "google.bigtable.admin.v2.BigtableTableAdmin"


class FakeBigtableIam:
    """An instance holding ``tables`` (name → Table) for an account granted ``granted``."""

    def __init__(self, granted: set[str], tables: dict[str, Table] | None = None) -> None:
        self.granted = granted
        self.tables = tables or {}

    def _test(self, request: iam_policy_pb2.TestIamPermissionsRequest,
              context: grpc.ServicerContext) -> iam_policy_pb2.TestIamPermissionsResponse:
        return iam_policy_pb2.TestIamPermissionsResponse(
            permissions=[p for p in request.permissions if p in self.granted])

    def _list(self, request: ListTablesRequest, context: grpc.ServicerContext
              ) -> ListTablesResponse:
        if "bigtable.tables.list" not in self.granted:
            context.abort(grpc.StatusCode.PERMISSION_DENIED, "bigtable.tables.list denied")
        return ListTablesResponse(tables=[Table(name=f"{request.parent}/tables/{name}")
                                          for name in self.tables])

    def _get(self, request: GetTableRequest, context: grpc.ServicerContext) -> Table:
        return self.tables[request.name.rsplit("/", 1)[-1]]

    def handlers(self) -> list[grpc.GenericRpcHandler]:
        def unary(method, request_type, response_serializer):  # type: ignore[no-untyped-def]
            return grpc.unary_unary_rpc_method_handler(
                method, request_deserializer=request_type,
                response_serializer=response_serializer)

        return [
            grpc.method_handlers_generic_handler(INSTANCE_ADMIN, {"TestIamPermissions": unary(
                self._test, iam_policy_pb2.TestIamPermissionsRequest.FromString,
                iam_policy_pb2.TestIamPermissionsResponse.SerializeToString)}),
            grpc.method_handlers_generic_handler(TABLE_ADMIN, {
                "ListTables": unary(self._list, ListTablesRequest.deserialize,
                                    ListTablesResponse.serialize),
                "GetTable": unary(self._get, GetTableRequest.deserialize, Table.serialize),
                "TestIamPermissions": unary(
                    self._test, iam_policy_pb2.TestIamPermissionsRequest.FromString,
                    iam_policy_pb2.TestIamPermissionsResponse.SerializeToString)}),
        ]


@contextmanager
def serving(fake: FakeBigtableIam) -> Iterator[str]:
    """Serve ``fake`` on a free loopback port; yields ``host:port``."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers(fake.handlers())
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None)
