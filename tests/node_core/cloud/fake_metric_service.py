"""A wire-level fake of Cloud Monitoring's ``google.monitoring.v3.MetricService``.

Cloud Monitoring has no emulator, so tests serve the one RPC the exporter uses,
``CreateTimeSeries``, from a local ``grpc.aio`` server speaking the real protobuf messages, and
point the real ``MetricServiceAsyncClient`` at it over an insecure channel.
"""

from __future__ import annotations

from collections import deque

import grpc
from google.cloud import monitoring_v3
from google.protobuf import empty_pb2

from node_core.cloud.monitoring import monitoring_client

SERVICE = "google.monitoring.v3.MetricService"


class FakeMetricService:
    """Records every ``CreateTimeSeries`` request; fails the next calls with scripted codes."""

    def __init__(self) -> None:
        self.requests: list[monitoring_v3.CreateTimeSeriesRequest] = []
        self.failed_calls = 0
        self.failures: deque[grpc.StatusCode] = deque()
        self.always_fail: grpc.StatusCode | None = None
        self._server: grpc.aio.Server | None = None
        self.address = ""

    async def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1 (``port``, or a free one); return ``host:port``. A stopped
        fake can start again on its old port: a Monitoring outage that ends."""
        server = grpc.aio.server()
        handler = grpc.unary_unary_rpc_method_handler(
            self._create_time_series,
            request_deserializer=monitoring_v3.CreateTimeSeriesRequest.deserialize,
            response_serializer=empty_pb2.Empty.SerializeToString,
        )
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(SERVICE, {"CreateTimeSeries": handler}),)
        )
        port = server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        self._server = server
        self.address = f"127.0.0.1:{port}"
        return self.address

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop(grace=None)
            self._server = None

    def client(self) -> tuple[monitoring_v3.MetricServiceAsyncClient, grpc.aio.Channel]:
        """The real async client over an insecure channel to this server."""
        channel = grpc.aio.insecure_channel(self.address)
        return monitoring_client(channel), channel

    @property
    def series(self) -> list[monitoring_v3.TimeSeries]:
        """Every time series received, in order."""
        return [ts for request in self.requests for ts in request.time_series]

    async def _create_time_series(
        self, request: monitoring_v3.CreateTimeSeriesRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        code = self.failures.popleft() if self.failures else self.always_fail
        if code is not None:
            self.failed_calls += 1
            await context.abort(code, f"injected {code.name}")
        self.requests.append(request)
        return empty_pb2.Empty()
