package io.chainpulse.cli;

import io.chainpulse.schema.catalog.CatalogDocs;
import io.chainpulse.sink.es.KibanaAssets;
import io.chainpulse.sink.prometheus.GrafanaDashboard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./chainpulse catalog}: the README's KPI and topic tables from the catalog; with {@code --write}, everything
 * generated from the catalog is rewritten in place — those README tables, the Kibana saved objects and the Grafana
 * dashboard (tests fail while any of them differs from its generator).
 */
@Command(name = "catalog", mixinStandardHelpOptions = true,
        description = {"Print the KPI and topic catalog as the README's Markdown tables.",
                "With --write: rewrite the README's KPI and topic tables, docker/kibana/chainpulse.ndjson and "
                        + "docker/grafana/dashboards/chainpulse-overview.json from the catalog."})
final class CatalogCommand implements Callable<Integer> {
    @Option(names = "--write", description = "Rewrite the generated files under --home instead of printing.")
    boolean write;

    @Option(names = "--home", paramLabel = "DIR",
            description = "The project's root (default: the chainpulse.home the launcher sets, else the current directory).")
    Path home = Path.of(System.getProperty("chainpulse.home", "."));

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!write) {
            out.println(CatalogDocs.kpiTable());
            out.println();
            out.println(CatalogDocs.topicTable());
            out.flush();
            return 0;
        }
        Path readme = home.resolve("README.md");
        if (!Files.isRegularFile(readme)) {
            throw new IllegalArgumentException("--home " + home + " holds no README.md: is it the project's root?");
        }
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        text = CatalogDocs.replace(text, CatalogDocs.KPIS_BEGIN, CatalogDocs.KPIS_END, CatalogDocs.kpiTable());
        text = CatalogDocs.replace(text, CatalogDocs.TOPICS_BEGIN, CatalogDocs.TOPICS_END, CatalogDocs.topicTable());
        write(out, readme, text);
        write(out, home.resolve(KibanaAssets.FILE), KibanaAssets.ndjson());
        write(out, home.resolve(GrafanaDashboard.FILE), GrafanaDashboard.json());
        out.flush();
        return 0;
    }

    private static void write(PrintWriter out, Path file, String text) throws IOException {
        boolean same = Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text);
        if (!same) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
        out.println((same ? "up to date: " : "wrote: ") + file);
    }
}
