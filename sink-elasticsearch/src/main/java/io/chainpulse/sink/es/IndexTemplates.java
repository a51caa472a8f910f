package io.chainpulse.sink.es;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The composable index templates and the optional ILM policy the sink installs at start. Building them is pure;
 * {@link EsClient} sends them. Installing is idempotent: a PUT of the same template replaces it with itself.
 *
 * <p>Each template matches {@code <alias>-*}, puts every daily index behind {@code <alias>} and maps every field
 * explicitly (dates, keywords, doubles; the sketch stored in {@code _source} but not indexed — type {@code binary}).
 * {@code dynamic: false} keeps fields a newer schema adds in {@code _source} without letting them change the mapping.
 *
 * <pre>{@code
 * Map<String, String> bodies = IndexTemplates.of(config).templates();   // template name -> JSON body
 * }</pre>
 */
public final class IndexTemplates {
    /** Bumped whenever a mapping changes; Elasticsearch shows it in GET _index_template. */
    public static final int VERSION = 1;
    /** Above Elasticsearch's built-in templates (100), so ours wins for our patterns. */
    static final int PRIORITY = 200;
    public static final String KPI_MAPPINGS = "kpis-mappings.json";
    public static final String ANOMALY_MAPPINGS = "anomalies-mappings.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String kpiAlias;
    private final String anomalyAlias;
    private final int shards;
    private final int replicas;
    private final String ilmPolicy;
    private final int ilmDeleteAfterDays;

    IndexTemplates(String kpiAlias, String anomalyAlias, int shards, int replicas, String ilmPolicy,
            int ilmDeleteAfterDays) {
        this.kpiAlias = kpiAlias;
        this.anomalyAlias = anomalyAlias;
        this.shards = shards;
        this.replicas = replicas;
        this.ilmPolicy = ilmPolicy == null || ilmPolicy.isBlank() ? null : ilmPolicy;
        this.ilmDeleteAfterDays = ilmDeleteAfterDays;
    }

    public static IndexTemplates of(SinkEsConfig config) {
        return new IndexTemplates(config.getString(SinkEsConfig.INDEX_KPIS),
                config.getString(SinkEsConfig.INDEX_ANOMALIES), config.getInt(SinkEsConfig.INDEX_SHARDS),
                config.getInt(SinkEsConfig.INDEX_REPLICAS), config.getString(SinkEsConfig.ILM_POLICY),
                config.getInt(SinkEsConfig.ILM_DELETE_AFTER_DAYS));
    }

    /** Template name (the alias) to its JSON body, KPIs first. */
    public Map<String, String> templates() {
        Map<String, String> templates = new LinkedHashMap<>();
        templates.put(kpiAlias, template(kpiAlias, KPI_MAPPINGS));
        templates.put(anomalyAlias, template(anomalyAlias, ANOMALY_MAPPINGS));
        return templates;
    }

    /** The ILM policy's name, or null when retention is left to the operator. */
    public String ilmPolicyName() {
        return ilmPolicy;
    }

    /** Body of PUT _ilm/policy/NAME: delete an index {@code ilmDeleteAfterDays} after it was created. */
    public String ilmPolicyBody() {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode delete = body.putObject("policy").putObject("phases").putObject("delete");
        delete.put("min_age", ilmDeleteAfterDays + "d");
        delete.putObject("actions").putObject("delete");
        return body.toString();
    }

    /** The mapping resource (its {@code properties} name every field a document may carry). */
    public static ObjectNode mappings(String resource) {
        try (InputStream in = IndexTemplates.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("mapping resource missing from the jar: " + resource);
            }
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read mapping resource " + resource, e);
        }
    }

    private String template(String alias, String mappingResource) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("index_patterns").add(alias + "-*");
        body.put("priority", PRIORITY);
        body.put("version", VERSION);
        body.putObject("_meta").put("managed_by", "chainpulse-sink-es");
        ObjectNode template = body.putObject("template");
        ObjectNode settings = template.putObject("settings");
        settings.put("number_of_shards", shards);
        settings.put("number_of_replicas", replicas);
        if (ilmPolicy != null) {
            settings.put("index.lifecycle.name", ilmPolicy);
        }
        template.set("mappings", mappings(mappingResource));
        template.putObject("aliases").putObject(alias);
        return body.toString();
    }
}
