"""Connections from an authority node to the shared GridTokenX estate on Google Cloud.

One concern per module; import the module you need (each pulls in its own client library):

* ``node_core.cloud.monitoring`` — custom metrics to Cloud Monitoring (``MetricsExporter``);
* ``node_core.cloud.kms_signer`` — authority signing with a Cloud KMS key (``KmsSigner``);
* ``node_core.cloud.backend_api`` — the backend REST API (``BackendApi``);
* ``node_core.cloud.circuit`` — the circuit breaker the REST client uses;
* ``node_core.cloud.pubsub_feeds`` — grid alerts in, block notices and emergency actions out;
* ``node_core.cloud.consensus_transport`` — node messages over ``consensus-messages``
  (``PubSubPeerNetwork``), authenticated by ``node_core.cloud.consensus_envelope``;
* ``node_core.cloud.spanner_sink`` — final blocks to Spanner (``BlockSink``);
* ``node_core.cloud.profile`` — the gcp profile; ``node_core.cloud.emulators`` — emulators;
* ``node_core.cloud.errors`` — every error these modules raise, under ``GridTokenXError``.
"""
