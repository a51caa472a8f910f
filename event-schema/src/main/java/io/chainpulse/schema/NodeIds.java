package io.chainpulse.schema;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one rule for node ids, enforced by the producer SDK's builder (a clear error) and by the processor (an event
 * with an invalid id goes to the dead letters). A node id names a Kafka key, a file in the SDK's spool directory, a
 * Pushgateway group and an Elasticsearch field, so it must be safe in all of them:
 * <ul>
 *   <li>1 to {@value #MAX_LENGTH} characters of {@code A-Z a-z 0-9 . _ : -}, starting with a letter or digit
 *       (so never {@code .}, {@code ..} or a path);</li>
 *   <li>not one of the reserved names {@link #RESERVED} (any case): they are scopes and group names of their own.</li>
 * </ul>
 *
 * <pre>{@code
 * NodeIds.problem("validator-7")   // Optional.empty()
 * NodeIds.problem("../etc")        // Optional[node id '../etc' must start with a letter or digit ...]
 * NodeIds.require(id);             // throws IllegalArgumentException with that message
 * }</pre>
 */
public final class NodeIds {
    public static final int MAX_LENGTH = 128;
    /** Scope and group names that a node id would collide with. */
    public static final Set<String> RESERVED = Set.of("network", "anomalies");
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*");

    private NodeIds() {}

    /** What is wrong with {@code id}, or empty when it is a valid node id. */
    public static Optional<String> problem(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.of("node id is missing or empty");
        }
        String shown = id.length() > MAX_LENGTH ? id.substring(0, 40) + "…" : id;
        if (id.length() > MAX_LENGTH) {
            return Optional.of("node id '" + shown + "' is " + id.length() + " characters long; at most "
                    + MAX_LENGTH + " are allowed");
        }
        if (!ALLOWED.matcher(id).matches()) {
            return Optional.of("node id '" + shown + "' must start with a letter or digit and contain only "
                    + "A-Z a-z 0-9 . _ : -");
        }
        if (RESERVED.contains(id.toLowerCase(Locale.ROOT))) {
            return Optional.of("node id '" + id + "' is reserved (reserved names: " + String.join(", ",
                    RESERVED.stream().sorted().toList()) + ")");
        }
        return Optional.empty();
    }

    public static boolean isValid(String id) {
        return problem(id).isEmpty();
    }

    /** {@code id} when valid, else an {@link IllegalArgumentException} naming what is wrong. */
    public static String require(String id) {
        problem(id).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        return id;
    }
}
