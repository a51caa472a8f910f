/**
 * Resource samples of a node, taken for it: {@link io.chainpulse.sdk.resources.ResourceCollector} samples a process
 * and its host (with OSHI, and the JVM's beans for the heap) on its own daemon thread, computes CPU percentages and
 * byte deltas between two readings, and hands each {@link io.chainpulse.schema.NodeResourceSample} to a sink — the
 * SDK's {@code recordResources} when started by {@code ChainPulseSdk.Builder.collectResources}, or the sidecar
 * {@code ./chainpulse collect} for a node not written in Java. {@link io.chainpulse.sdk.resources.NodeGauges} carries
 * what only the node knows (mempool size, peers).
 */
package io.chainpulse.sdk.resources;
