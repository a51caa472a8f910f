package io.chainpulse.schema.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The catalog is the only place a KPI name or a topic name is spelled in main code (issue 15): every string literal
 * of every module's {@code src/main} Java and JavaScript (the dashboard's page; comments do not count) is checked, and a
 * literal that is a KPI name, contains a KPI name with more than one word ({@code consensus_latency_ms}) or contains
 * a topic name fails this test with its file and line. A few literals are the same word for something else, listed
 * in {@link #OTHER_MEANING} with what they mean.
 */
class CatalogSpellingTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Set<Path> CATALOG = Set.of(
            Path.of("event-schema/src/main/java/io/chainpulse/schema/catalog/Kpi.java"),
            Path.of("event-schema/src/main/java/io/chainpulse/schema/catalog/Topics.java"));
    /** file → literal that names something other than the KPI or topic. */
    private static final Map<String, Set<String>> OTHER_MEANING = Map.of(
            // the scenario file's key for the simulated transaction rate, not the KPI
            "simulator/src/main/java/io/chainpulse/simulator/ScenarioFile.java", Set.of("tps"),
            // evaluate's JSON echo of the simulated settings: the scenario's transaction rate
            "cli/src/main/java/io/chainpulse/cli/evaluate/Evaluation.java", Set.of("tps"));

    @Test
    void shouldSpellEveryKpiAndTopicNameOnlyInTheCatalog() throws IOException {
        List<String> strays = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(CatalogSpellingTest::isMainSource).forEach(file -> {
                Path relative = ROOT.relativize(file);
                if (CATALOG.contains(relative)) {
                    return;
                }
                Set<String> allowed = OTHER_MEANING.getOrDefault(relative.toString().replace('\\', '/'), Set.of());
                for (Literal literal : literals(read(file), file.toString().endsWith(".js"))) {
                    String named = names(literal.text());
                    if (named != null && !allowed.contains(literal.text())) {
                        strays.add(relative + ":" + literal.line() + ": \"" + literal.text() + "\" spells " + named);
                    }
                }
            });
        }
        assertThat(strays).as("KPI and topic names belong in event-schema's catalog (Kpi, Topics)").isEmpty();
    }

    @Test
    void shouldFindALiteralInCodeButNotInAComment() {
        String java = """
                /* "tps" in a comment */ String a = "chainpulse.kpis"; // "consensus_latency_ms"
                String b = "the " + "p95 of consensus_latency_ms"; char c = '"'; String d = "tps";
                """;
        List<String> named = literals(java, false).stream().map(l -> l.line() + ":" + names(l.text()))
                .filter(s -> !s.endsWith("null")).toList();
        assertThat(named).containsExactly("1:topic chainpulse.kpis", "2:KPI consensus_latency_ms", "2:KPI tps");
    }

    @Test
    void shouldFindSingleQuotedAndTemplateLiteralsInJavaScript() {
        String js = """
                // 'tps' in a comment
                const a = 'tps', b = `p95 of consensus_latency_ms`; /* "block_time_ms" */ const c = "x";
                """;
        List<String> named = literals(js, true).stream().map(l -> l.line() + ":" + names(l.text()))
                .filter(s -> !s.endsWith("null")).toList();
        assertThat(named).containsExactly("2:KPI tps", "2:KPI consensus_latency_ms");
    }

    /** What {@code text} spells, or null. */
    static String names(String text) {
        for (Kpi kpi : Kpi.values()) {
            String name = kpi.metric();
            boolean multiWord = name.contains("_");
            if (text.equals(name) || multiWord && Pattern.compile("(?<![a-z_])" + name + "(?![a-z_])").matcher(text).find()) {
                return "KPI " + name;
            }
        }
        for (Topic<?, ?> topic : Topics.ALL) {
            if (Pattern.compile("(?<![a-z._-])" + Pattern.quote(topic.name()) + "(?![a-z_-]|\\.[a-z])").matcher(text).find()) {
                return "topic " + topic.name();
            }
        }
        return null;
    }

    record Literal(int line, String text) {}

    /** The string literals of Java or JavaScript source, comments skipped. */
    static List<Literal> literals(String source, boolean javascript) {
        List<Literal> out = new ArrayList<>();
        int line = 1;
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (source.startsWith("//", i)) {
                while (i < source.length() && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? source.length() : end + 2;
                line += count(source, i, end);
                i = end;
            } else if (!javascript && source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? source.length() : end;
                out.add(new Literal(line, source.substring(i + 3, end)));
                line += count(source, i, end);
                i = end + 3;
            } else if (c == '"' || c == '\'' || javascript && c == '`') {
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                while (j < source.length() && source.charAt(j) != c && source.charAt(j) != '\n') {
                    if (source.charAt(j) == '\\' && j + 1 < source.length()) {
                        j++;
                    }
                    text.append(source.charAt(j));
                    j++;
                }
                if (c != '\'' || javascript) {
                    out.add(new Literal(line, text.toString()));
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return out;
    }

    private static int count(String s, int from, int to) {
        int n = 0;
        for (int k = from; k < to; k++) {
            if (s.charAt(k) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static boolean isMainSource(Path file) {
        String path = file.toString().replace('\\', '/');
        return path.contains("/src/main/") && !path.contains("/target/") && !path.contains("/.git/")
                && (path.endsWith(".java") || path.endsWith(".js"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
