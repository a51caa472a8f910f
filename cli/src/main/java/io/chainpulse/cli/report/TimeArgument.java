package io.chainpulse.cli.report;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in time as operators write it on a command line: an ISO-8601 instant ({@code 2026-11-30T04:00:00Z}), or
 * relative to now ({@code -1h}, {@code -30m}, {@code -90s}, {@code -2d}, {@code now}).
 *
 * <pre>{@code
 * Instant from = TimeArgument.parse("--from", "-1h", Instant.now());
 * }</pre>
 */
public final class TimeArgument {
    private static final Pattern RELATIVE = Pattern.compile("-(\\d+)(ms|s|m|h|d)");

    private TimeArgument() {}

    /** @throws IllegalArgumentException naming the flag and the value */
    public static Instant parse(String flag, String value, Instant now) {
        String text = value.trim();
        if (text.equals("now")) {
            return now;
        }
        Matcher m = RELATIVE.matcher(text);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            Duration ago = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            return now.minus(ago);
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(flag + " '" + value + "': expected an ISO-8601 instant such as "
                    + "2026-11-30T04:00:00Z, or a time before now such as -1h, -30m, -90s, -2d or now");
        }
    }
}
