package io.chainpulse.anomaly;

import io.chainpulse.schema.KpiScope;
import io.chainpulse.schema.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a static rules YAML file. Every problem in the file is reported at once, each as {@code FILE:LINE: reason},
 * because an operator editing thresholds should fix the whole file in one go, not one error per restart.
 *
 * <pre>{@code
 * List<Rule> rules = RulesFile.load(Path.of("/etc/chainpulse/rules.yaml"));
 * List<Rule> shipped = RulesFile.defaults();
 * }</pre>
 */
public final class RulesFile {
    /** The rules shipped in the jar, used when no rules file is configured. */
    public static final String DEFAULT_RESOURCE = "chainpulse-rules.yaml";

    static final List<String> KEYS = List.of("name", "metric", "scope", "statistic", "comparison", "threshold",
            "severity", "for_windows", "clear_windows", "pool_windows", "description", "suggested_actions");
    private static final List<String> REQUIRED = List.of("name", "metric", "scope", "statistic", "comparison",
            "threshold", "severity");
    static final Set<String> PLACEHOLDERS = Set.of("node", "metric", "statistic", "observed", "threshold", "pooled");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");

    private RulesFile() {}

    /** Rules of the file at {@code path}; throws {@link InvalidRulesException} listing every problem. */
    public static List<Rule> load(Path path) {
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return parse(path.toString(), reader);
        } catch (IOException e) {
            throw new InvalidRulesException(path + ": cannot read rules file: " + e.getMessage());
        }
    }

    /** The shipped default rules. */
    public static List<Rule> defaults() {
        try (InputStream in = RulesFile.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + DEFAULT_RESOURCE + " is missing");
            }
            return parse("classpath:" + DEFAULT_RESOURCE, new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses rules from {@code reader}; {@code file} names the source in error messages. */
    public static List<Rule> parse(String file, Reader reader) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new InvalidRulesException(file + ":" + line + ": invalid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new InvalidRulesException(file + ": invalid YAML: " + e.getMessage());
        }
        Parser parser = new Parser(file);
        List<Rule> rules = parser.rules(root);
        if (!parser.problems.isEmpty()) {
            throw new InvalidRulesException(String.join("\n", parser.problems));
        }
        return rules;
    }

    /** A rules file that cannot be used; the message holds one {@code FILE:LINE: reason} line per problem. */
    public static final class InvalidRulesException extends IllegalArgumentException {
        InvalidRulesException(String message) {
            super(message);
        }
    }

    private static final class Parser {
        final String file;
        final List<String> problems = new ArrayList<>();

        Parser(String file) {
            this.file = file;
        }

        List<Rule> rules(Node root) {
            if (root == null) {
                problems.add(file + ":1: the file is empty; expected a mapping with a 'rules' list");
                return List.of();
            }
            if (!(root instanceof MappingNode mapping)) {
                problem(root, "expected a mapping with a 'rules' list at the top");
                return List.of();
            }
            Node list = null;
            for (NodeTuple tuple : mapping.getValue()) {
                String key = scalar(tuple.getKeyNode());
                if ("rules".equals(key)) {
                    list = tuple.getValueNode();
                } else {
                    problem(tuple.getKeyNode(), "unknown top-level key '" + key + "' (expected 'rules')");
                }
            }
            if (list == null) {
                problem(root, "missing top-level key 'rules'");
                return List.of();
            }
            if (!(list instanceof SequenceNode sequence)) {
                problem(list, "'rules' must be a list of rules");
                return List.of();
            }
            List<Rule> rules = new ArrayList<>();
            Map<String, Integer> firstLine = new HashMap<>();
            for (Node item : sequence.getValue()) {
                Rule rule = rule(item);
                if (rule == null) {
                    continue;
                }
                Integer earlier = firstLine.putIfAbsent(rule.name(), line(item));
                if (earlier != null) {
                    problem(item, "duplicate rule name '" + rule.name() + "' (first defined at line " + earlier + ")");
                } else {
                    rules.add(rule);
                }
            }
            return rules;
        }

        private Rule rule(Node item) {
            if (!(item instanceof MappingNode mapping)) {
                problem(item, "each rule must be a mapping of " + String.join(", ", REQUIRED) + ", ...");
                return null;
            }
            Map<String, Node> values = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                values.put(scalar(tuple.getKeyNode()), tuple.getValueNode());
            }
            String name = values.get("name") instanceof ScalarNode n ? n.getValue() : null;
            String who = "rule '" + (name == null ? "?" : name) + "': ";
            int before = problems.size();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = scalar(tuple.getKeyNode());
                if (!KEYS.contains(key)) {
                    problem(tuple.getKeyNode(), who + "unknown key '" + key + "' (expected one of "
                            + String.join(", ", KEYS) + ")");
                }
            }
            for (String key : REQUIRED) {
                if (!values.containsKey(key)) {
                    problem(item, who + "missing required key '" + key + "'");
                }
            }
            if (problems.size() > before) {
                return null;
            }
            String metric = text(values, "metric", who);
            if (metric != null && !Metrics.ALL.contains(metric)) {
                problem(values.get("metric"), who + "unknown metric '" + metric + "' (expected one of "
                        + String.join(", ", Metrics.ALL) + ")");
                metric = null;
            }
            KpiScope scope = null;
            String scopeText = text(values, "scope", who);
            if (scopeText != null) {
                try {
                    scope = KpiScope.valueOf(scopeText);
                } catch (IllegalArgumentException e) {
                    problem(values.get("scope"), who + "scope must be node or network: '" + scopeText + "'");
                }
            }
            Statistic statistic = null;
            String statText = text(values, "statistic", who);
            if (statText != null) {
                statistic = Statistic.parse(statText).orElse(null);
                if (statistic == null) {
                    problem(values.get("statistic"), who + "unknown statistic '" + statText + "' (expected one of "
                            + Statistic.labels() + ")");
                } else if (metric != null && Metrics.isRate(metric) != (statistic == Statistic.RATE
                        || statistic == Statistic.COUNT)) {
                    problem(values.get("statistic"), who + "statistic '" + statText + "' does not apply to "
                            + (Metrics.isRate(metric) ? "rate metric " + metric + " (use rate or count)"
                            : "latency metric " + metric + " (use count, min, mean, max, p50, p90, p95 or p99)"));
                    statistic = null;
                }
            }
            Comparison comparison = null;
            String compText = text(values, "comparison", who);
            if (compText != null) {
                comparison = Comparison.parse(compText).orElse(null);
                if (comparison == null) {
                    problem(values.get("comparison"), who + "comparison must be one of >, >=, <, <=: '" + compText
                            + "'");
                }
            }
            Double threshold = null;
            String thresholdText = text(values, "threshold", who);
            if (thresholdText != null) {
                try {
                    threshold = Double.parseDouble(thresholdText);
                    if (threshold.isNaN() || threshold.isInfinite()) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    problem(values.get("threshold"), who + "threshold must be a number: '" + thresholdText + "'");
                    threshold = null;
                }
            }
            Severity severity = null;
            String sevText = text(values, "severity", who);
            if (sevText != null) {
                try {
                    severity = Severity.valueOf(sevText);
                } catch (IllegalArgumentException e) {
                    problem(values.get("severity"), who + "severity must be one of "
                            + Arrays.stream(Severity.values()).map(Enum::name).collect(Collectors.joining(", "))
                            + ": '" + sevText + "'");
                }
            }
            int forWindows = windows(values, "for_windows", who);
            int clearWindows = windows(values, "clear_windows", who);
            int poolWindows = windows(values, "pool_windows", who);
            if (poolWindows > 1 && metric != null && statistic != null && comparison != null
                    && !(FailureGate.gates(metric) && statistic == Statistic.MEAN
                    && (comparison == Comparison.GT || comparison == Comparison.GE))) {
                problem(values.get("pool_windows"), who + "pool_windows applies to a failure ratio's mean above a "
                        + "threshold (> or >=), not to " + statText + " " + metric + " " + compText);
            }
            String description = values.containsKey("description") ? text(values, "description", who)
                    : "{statistic} {metric} {observed} {node}, threshold {threshold}";
            if (description != null) {
                Matcher m = PLACEHOLDER.matcher(description);
                while (m.find()) {
                    if (!PLACEHOLDERS.contains(m.group(1))) {
                        problem(values.get("description"), who + "unknown placeholder {" + m.group(1)
                                + "} in description (expected {node}, {metric}, {statistic}, {observed}, {threshold}, "
                                + "{pooled})");
                    } else if (m.group(1).equals("pooled") && poolWindows < 2) {
                        problem(values.get("description"), who + "placeholder {pooled} needs pool_windows of 2 or "
                                + "more");
                    }
                }
            }
            List<String> actions = new ArrayList<>();
            Node actionsNode = values.get("suggested_actions");
            if (actionsNode instanceof SequenceNode seq) {
                for (Node action : seq.getValue()) {
                    if (action instanceof ScalarNode s) {
                        actions.add(s.getValue());
                    } else {
                        problem(action, who + "suggested_actions must be a list of strings");
                    }
                }
            } else if (actionsNode != null) {
                problem(actionsNode, who + "suggested_actions must be a list of strings");
            }
            if (problems.size() > before) {
                return null;
            }
            return new Rule(name, metric, scope, statistic, comparison, threshold, severity, forWindows,
                    clearWindows, description, actions, poolWindows);
        }

        private int windows(Map<String, Node> values, String key, String who) {
            if (!values.containsKey(key)) {
                return 1;
            }
            String text = text(values, key, who);
            if (text == null) {
                return 1;
            }
            try {
                int n = Integer.parseInt(text);
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below with the value
            }
            problem(values.get(key), who + key + " must be an integer >= 1: '" + text + "'");
            return 1;
        }

        private String text(Map<String, Node> values, String key, String who) {
            Node node = values.get(key);
            if (node instanceof ScalarNode scalar) {
                return scalar.getValue();
            }
            problem(node, who + key + " must be a single value");
            return null;
        }

        private String scalar(Node node) {
            return node instanceof ScalarNode s ? s.getValue() : String.valueOf(node);
        }

        private int line(Node node) {
            return node.getStartMark().getLine() + 1;
        }

        private void problem(Node node, String reason) {
            problems.add(file + ":" + line(node) + ": " + reason);
        }
    }
}
