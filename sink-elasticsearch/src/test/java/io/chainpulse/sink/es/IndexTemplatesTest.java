package io.chainpulse.sink.es;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexTemplatesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldPutEveryDailyKpiIndexBehindTheAliasWithExplicitMappings() throws Exception {
        JsonNode kpis = JSON.readTree(IndexTemplates.of(new SinkEsConfig(Map.of())).templates().get("chainpulse-kpis"));

        assertThat(kpis.get("index_patterns").toString()).isEqualTo("[\"chainpulse-kpis-*\"]");
        assertThat(kpis.get("priority").asInt()).isEqualTo(200);
        assertThat(kpis.at("/template/aliases").toString()).isEqualTo("{\"chainpulse-kpis\":{}}");
        assertThat(kpis.at("/template/settings").toString())
                .isEqualTo("{\"number_of_shards\":1,\"number_of_replicas\":1}");
        assertThat(kpis.at("/template/mappings/dynamic").asBoolean()).isFalse();
        assertThat(kpis.at("/template/mappings/properties/window_start/type").asText()).isEqualTo("date");
        assertThat(kpis.at("/template/mappings/properties/node_id/type").asText()).isEqualTo("keyword");
        assertThat(kpis.at("/template/mappings/properties/p99/type").asText()).isEqualTo("double");
        assertThat(kpis.at("/template/mappings/properties/sketch/type").asText()).isEqualTo("binary");
    }

    @Test
    void shouldLeaveIlmOutUnlessAPolicyIsConfigured() throws Exception {
        IndexTemplates plain = IndexTemplates.of(new SinkEsConfig(Map.of(SinkEsConfig.INDEX_REPLICAS, "0")));
        IndexTemplates managed = IndexTemplates.of(new SinkEsConfig(Map.of(SinkEsConfig.ILM_POLICY, "chainpulse-30d",
                SinkEsConfig.ILM_DELETE_AFTER_DAYS, "30")));

        assertThat(plain.ilmPolicyName()).isNull();
        assertThat(JSON.readTree(plain.templates().get("chainpulse-anomalies")).at("/template/settings").toString())
                .isEqualTo("{\"number_of_shards\":1,\"number_of_replicas\":0}");
        assertThat(managed.ilmPolicyName()).isEqualTo("chainpulse-30d");
        assertThat(JSON.readTree(managed.templates().get("chainpulse-anomalies"))
                .at("/template/settings/index.lifecycle.name").asText()).isEqualTo("chainpulse-30d");
        assertThat(managed.ilmPolicyBody())
                .isEqualTo("{\"policy\":{\"phases\":{\"delete\":{\"min_age\":\"30d\",\"actions\":{\"delete\":{}}}}}}");
    }
}
