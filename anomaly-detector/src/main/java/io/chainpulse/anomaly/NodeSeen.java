package io.chainpulse.anomaly;

/** Liveness memory per node: end of its latest KPI window and the window size. */
public record NodeSeen(long lastWindowEndMs, long windowSizeMs) {}
