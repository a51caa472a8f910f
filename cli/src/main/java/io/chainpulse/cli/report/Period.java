package io.chainpulse.cli.report;

import io.chainpulse.schema.KpiWindow;
import java.time.Duration;
import java.time.Instant;

/**
 * A span of event time, {@code [fromMs, toMs)}. A KPI window belongs to the period its start falls in, so every
 * window is counted in exactly one of two adjacent periods.
 *
 * <pre>{@code
 * Period period = new Period(Instant.parse("2026-11-30T04:00:00Z"), Instant.parse("2026-11-30T05:00:00Z"));
 * Period previous = period.previous();   // 03:00 → 04:00
 * }</pre>
 */
public record Period(long fromMs, long toMs) {

    public Period {
        if (toMs <= fromMs) {
            throw new IllegalArgumentException("a period must end after it starts: " + Instant.ofEpochMilli(fromMs)
                    + " → " + Instant.ofEpochMilli(toMs));
        }
    }

    public Period(Instant from, Instant to) {
        this(from.toEpochMilli(), to.toEpochMilli());
    }

    /** The span of equal length that ends where this one starts. */
    public Period previous() {
        return new Period(fromMs - lengthMs(), fromMs);
    }

    public long lengthMs() {
        return toMs - fromMs;
    }

    public boolean contains(KpiWindow window) {
        return window.getWindowStartMs() >= fromMs && window.getWindowStartMs() < toMs;
    }

    /** {@code 2026-11-30T04:00:00Z → 2026-11-30T05:00:00Z (1h)}. */
    @Override
    public String toString() {
        return Instant.ofEpochMilli(fromMs) + " → " + Instant.ofEpochMilli(toMs) + " (" + human(Duration.ofMillis(lengthMs())) + ")";
    }

    static String human(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT).replaceAll("(\\d)([hm])(?=\\d)", "$1$2 ");
    }
}
