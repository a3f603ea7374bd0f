package dev.troupe.cluster;

/**
 * What crosses the cluster: every message between nodes implements this and is a record, written by Akka's
 * Jackson CBOR serializer (bound in {@link ClusterConfig}); Java serialization is off. Never an API key: each node
 * takes those from its own environment.
 */
public interface ClusterMessage {}
