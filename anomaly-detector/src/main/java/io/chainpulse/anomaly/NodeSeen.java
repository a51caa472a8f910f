package io.chainpulse.anomaly;

/**
 * Liveness memory per node: end of its latest KPI window, the window size, and how many windows behind stream time
 * its KPIs have been arriving ({@link LivenessDetector#lagAfter}; 0 in state written before it was kept).
 */
public record NodeSeen(long lastWindowEndMs, long windowSizeMs, int lagWindows) {}
