package io.chainpulse.sdk.resources;

/** Reads the host and one process; {@link OshiProbe} in production, a stand-in in tests of the collector's logic. */
interface Probe {
    /** Told about each part of a reading that failed; the reading goes on without it. */
    @FunctionalInterface
    interface Failures {
        void failed(String probe, Throwable cause);
    }

    /**
     * Takes one reading. A part that fails is passed to {@code failures} and left {@code null}.
     *
     * @return the reading, or {@code null} when the process no longer exists
     */
    Reading read(Failures failures);
}
