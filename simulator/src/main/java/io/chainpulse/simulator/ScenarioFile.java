package io.chainpulse.simulator;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A user scenario in YAML; every problem is reported at once as {@code FILE:LINE: reason}.
 *
 * <pre>{@code
 * name: my-incident
 * validators: 7
 * tps: 200
 * block_interval: 1s
 * duration: 4m
 * seed: 42
 * byzantine_fraction: 0
 * faults:
 *   - {kind: slow_validator, node: v3, start: 60s, end: 120s, magnitude: 3}
 * }</pre>
 */
public final class ScenarioFile {
    private static final Set<String> KEYS = Set.of("name", "chain_id", "validators", "tps", "block_interval", "duration",
            "seed", "byzantine_fraction", "faults");
    private static final Set<String> FAULT_KEYS = Set.of("kind", "node", "start", "end", "magnitude");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private ScenarioFile() {}

    /** @throws IllegalArgumentException listing every problem as {@code file:line: reason} */
    public static Scenario load(Path file) throws IOException {
        Node root;
        try (Reader reader = Files.newBufferedReader(file)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(reader);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        List<String> problems = new ArrayList<>();
        if (!(root instanceof MappingNode mapping)) {
            throw new IllegalArgumentException(file + ":1: expected a mapping of scenario settings");
        }
        String name = "scenario";
        String chainId = null; // the default chain unless the file names one (chain_id)
        int validators = 4;
        double tps = 100;
        Duration blockInterval = Duration.ofSeconds(1);
        Duration duration = Duration.ofSeconds(60);
        long seed = 1;
        double byzantine = 0;
        List<Fault> faults = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = scalar(tuple.getKeyNode());
            Node value = tuple.getValueNode();
            String where = file + ":" + line(value) + ": ";
            try {
                switch (key) {
                    case "name" -> name = scalar(value);
                    case "chain_id" -> chainId = scalar(value);
                    case "validators" -> validators = Integer.parseInt(scalar(value));
                    case "tps" -> tps = Double.parseDouble(scalar(value));
                    case "block_interval" -> blockInterval = duration(scalar(value));
                    case "duration" -> duration = duration(scalar(value));
                    case "seed" -> seed = Long.parseLong(scalar(value));
                    case "byzantine_fraction" -> byzantine = Double.parseDouble(scalar(value));
                    case "faults" -> faults(file, value, faults, problems);
                    default -> problems.add(file + ":" + line(tuple.getKeyNode()) + ": unknown key '" + key
                            + "'; known: " + String.join(", ", new java.util.TreeSet<>(KEYS)));
                }
            } catch (NumberFormatException e) {
                problems.add(where + key + " must be a number, got '" + scalar(value) + "'");
            } catch (IllegalArgumentException e) {
                problems.add(where + key + ": " + e.getMessage());
            }
        }
        if (problems.isEmpty()) {
            try {
                return new Scenario(name, chainId, validators, tps, blockInterval, duration, seed, byzantine, faults);
            } catch (IllegalArgumentException e) {
                problems.add(file + ": " + e.getMessage());
            }
        }
        throw new IllegalArgumentException(String.join("\n", problems));
    }

    private static void faults(Path file, Node value, List<Fault> faults, List<String> problems) {
        if (!(value instanceof SequenceNode list)) {
            problems.add(file + ":" + line(value) + ": faults must be a list");
            return;
        }
        for (Node item : list.getValue()) {
            String where = file + ":" + line(item) + ": fault: ";
            if (!(item instanceof MappingNode fault)) {
                problems.add(where + "expected a mapping with kind, node, start, end, magnitude");
                continue;
            }
            String kind = null;
            String node = null;
            Duration start = null;
            Duration end = null;
            double magnitude = 0;
            for (NodeTuple t : fault.getValue()) {
                String key = scalar(t.getKeyNode());
                String text = scalar(t.getValueNode());
                String at = file + ":" + line(t.getValueNode()) + ": fault: ";
                try {
                    switch (key) {
                        case "kind" -> kind = text;
                        case "node" -> node = text;
                        case "start" -> start = duration(text);
                        case "end" -> end = duration(text);
                        case "magnitude" -> magnitude = Double.parseDouble(text);
                        default -> problems.add(at + "unknown key '" + key + "'; known: "
                                + String.join(", ", new java.util.TreeSet<>(FAULT_KEYS)));
                    }
                } catch (NumberFormatException e) {
                    problems.add(at + key + " must be a number, got '" + text + "'");
                } catch (IllegalArgumentException e) {
                    problems.add(at + key + ": " + e.getMessage());
                }
            }
            if (kind == null || start == null || end == null) {
                problems.add(where + "kind, start and end are required");
                continue;
            }
            try {
                faults.add(new Fault(Fault.Kind.valueOf(kind.toUpperCase(Locale.ROOT)), node, start, end, magnitude));
            } catch (IllegalArgumentException e) {
                problems.add(where + (e.getMessage().startsWith("No enum") ? "unknown kind '" + kind + "'" : e.getMessage()));
            }
        }
    }

    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: use a whole number with ms, s, m or h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static String scalar(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : String.valueOf(node.getNodeId());
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }
}
