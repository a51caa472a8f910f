package io.chainpulse.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A simulated network and what happens to it.
 *
 * @param validators number of validators, named v1 … vN
 * @param tps mean transaction arrival rate (Poisson), network-wide
 * @param byzantineFraction share of validators (the last ones: vN, vN-1 …) that behave byzantine for the whole run
 */
public record Scenario(String name, String chainId, int validators, double tps, Duration blockInterval,
                       Duration duration, long seed, double byzantineFraction, List<Fault> faults) {

    public Scenario {
        if (validators < 1) {
            throw new IllegalArgumentException("validators must be >= 1: " + validators);
        }
        if (tps < 0) {
            throw new IllegalArgumentException("tps must be >= 0: " + tps);
        }
        if (blockInterval.toMillis() < 50) {
            throw new IllegalArgumentException("block_interval must be >= 50ms: " + blockInterval);
        }
        if (duration.compareTo(blockInterval) < 0) {
            throw new IllegalArgumentException("duration must be at least one block interval: " + duration);
        }
        if (byzantineFraction < 0 || byzantineFraction >= 1) {
            throw new IllegalArgumentException("byzantine_fraction must be in [0, 1): " + byzantineFraction);
        }
        faults = List.copyOf(faults);
        for (Fault fault : faults) {
            if (fault.node() != null && !nodeExists(fault.node(), validators)) {
                throw new IllegalArgumentException("fault " + fault.kind().id() + " names node '" + fault.node()
                        + "', but the network has v1 … v" + validators);
            }
        }
    }

    private static boolean nodeExists(String node, int validators) {
        if (!node.startsWith("v")) {
            return false;
        }
        try {
            int n = Integer.parseInt(node.substring(1));
            return n >= 1 && n <= validators;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The magnitude of the first fault of {@code kind} active at {@code node} at {@code simMs}, or {@code otherwise}. */
    double faultMagnitude(Fault.Kind kind, String node, long simMs, double otherwise) {
        for (Fault fault : faults) {
            if (fault.kind() == kind && fault.hits(node, simMs)) {
                return fault.magnitude();
            }
        }
        return otherwise;
    }

    /** The same scenario with one more fault. */
    public Scenario withFault(Fault fault) {
        List<Fault> all = new java.util.ArrayList<>(faults);
        all.add(fault);
        return new Scenario(name, chainId, validators, tps, blockInterval, duration, seed, byzantineFraction, all);
    }

    public Scenario withDuration(Duration newDuration) {
        return new Scenario(name, chainId, validators, tps, blockInterval, newDuration, seed, byzantineFraction, faults);
    }

    public Scenario withSeed(long newSeed) {
        return new Scenario(name, chainId, validators, tps, blockInterval, duration, newSeed, byzantineFraction, faults);
    }

    private static final Map<String, Supplier<Scenario>> BUILT_IN = Map.of(
            "baseline", () -> new Scenario("baseline", null, 4, 100, Duration.ofSeconds(1), Duration.ofSeconds(60),
                    1, 0, List.of()),
            "high-load", () -> new Scenario("high-load", null, 7, 1000, Duration.ofSeconds(1),
                    Duration.ofMinutes(5), 2, 0, List.of()),
            "byzantine", () -> new Scenario("byzantine", null, 10, 500, Duration.ofSeconds(1),
                    Duration.ofMinutes(3), 3, 0.33, List.of()),
            "partition", () -> new Scenario("partition", null, 7, 200, Duration.ofSeconds(1),
                    Duration.ofMinutes(4), 4, 0, List.of(
                            new Fault(Fault.Kind.LATE_BLOCKS, "v6", Duration.ofSeconds(60), Duration.ofSeconds(180), 800),
                            new Fault(Fault.Kind.LATE_BLOCKS, "v7", Duration.ofSeconds(60), Duration.ofSeconds(180), 800))));

    /** Names of the built-in scenarios. */
    public static java.util.Set<String> builtInNames() {
        return new java.util.TreeSet<>(BUILT_IN.keySet());
    }

    /** A built-in scenario: baseline, high-load, byzantine or partition. */
    public static Scenario builtIn(String name) {
        Supplier<Scenario> scenario = BUILT_IN.get(name);
        if (scenario == null) {
            throw new IllegalArgumentException("unknown scenario '" + name + "'; built-in: "
                    + String.join(", ", builtInNames()) + " (or a YAML file)");
        }
        return scenario.get();
    }
}
