"""Ports: the interfaces services need from outside, implemented in infra/.

One module per area; import a port from its area's module:

- ``clock``: Clock.
- ``log``: a cluster's event log and what follows it (EventLog, LogEntry,
  iter_batches), projecting it once (ProjectionLease, TrackingConflict) and
  waking subscribers (LiveEvents).
- ``storage``: where things are kept: Partitions opens a cluster's Partition (its
  application, log, ReadModel and checkpoints); Directory holds what spans clusters.
- ``audit``: CheckpointStore, CheckpointSigner.
- ``registry``, ``goals``, ``mutual_control``, ``projects``, ``identity``: each
  area's read-model ports, the view its projection writes (``…View``) and the
  reader its queries use (``…Reader``); ``identity`` also holds sign-in's ports
  (IssuerDiscovery, SecretStore, IdentityLinks) and the values they exchange.
"""
