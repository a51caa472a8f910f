package io.chainpulse.anomaly;

import java.util.Arrays;
import java.util.Optional;

/** How a static rule compares the observed statistic with its threshold. */
public enum Comparison {
    GT(">"), GE(">="), LT("<"), LE("<=");

    private final String symbol;

    Comparison(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }

    /** true when {@code observed} breaches {@code threshold} under this comparison. */
    public boolean breached(double observed, double threshold) {
        return switch (this) {
            case GT -> observed > threshold;
            case GE -> observed >= threshold;
            case LT -> observed < threshold;
            case LE -> observed <= threshold;
        };
    }

    static Optional<Comparison> parse(String text) {
        return Arrays.stream(values()).filter(c -> c.symbol.equals(text)).findFirst();
    }
}
