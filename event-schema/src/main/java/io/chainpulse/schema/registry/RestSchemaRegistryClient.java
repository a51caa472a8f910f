package io.chainpulse.schema.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * Client of the Confluent Schema Registry REST API, as served by Confluent Schema Registry, Apicurio
 * ({@code /apis/ccompat/v7}) and Redpanda.
 *
 * <p>Uses {@code POST /subjects/{s}/versions} to register, {@code POST /subjects/{s}} to look up and
 * {@code GET /schemas/ids/{id}} to fetch. Every successful answer is cached for the life of the client: ids are
 * immutable in every registry that speaks this API. Thread-safe.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUri;
    private final String authorization;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    /**
     * @param baseUrl the registry's API root, e.g. {@code http://127.0.0.1:8081} for Confluent or
     *     {@code http://127.0.0.1:8080/apis/ccompat/v7} for Apicurio
     * @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, or null
     */
    public RestSchemaRegistryClient(String baseUrl, String basicAuthUserInfo, Duration requestTimeout) {
        this(baseUrl, basicAuthUserInfo == null ? null : basicAuthorization(basicAuthUserInfo), null, requestTimeout);
    }

    /**
     * @param authorization the whole {@code Authorization} header ({@code Basic …} or {@code Bearer …}), or null
     * @param sslContext the TLS context of an https registry (its trust store, a client certificate), or null for the
     *     JVM's default
     */
    public RestSchemaRegistryClient(String baseUrl, String authorization, SSLContext sslContext,
                                    Duration requestTimeout) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        try {
            this.baseUri = URI.create(trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schema.registry.url is not a valid URL: " + baseUrl, e);
        }
        if (baseUri.getScheme() == null || !baseUri.getScheme().startsWith("http")) {
            throw new IllegalArgumentException("schema.registry.url must start with http:// or https://: " + baseUrl);
        }
        this.authorization = authorization;
        this.requestTimeout = requestTimeout;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(requestTimeout);
        if (sslContext != null) {
            http.sslContext(sslContext);
        }
        this.http = http.build();
    }

    /** The {@code Authorization} header of HTTP basic authentication as {@code user:password}. */
    public static String basicAuthorization(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int register(String subject, Schema schema) {
        Integer cached = idsBySubject.getOrDefault(subject, Map.of()).get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                "register schema under subject '" + subject + "'");
        return remember(subject, schema, answer.path("id").asInt());
    }

    @Override
    public int lookup(String subject, Schema schema) {
        Integer cached = idsBySubject.getOrDefault(subject, Map.of()).get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema),
                "look up schema in subject '" + subject + "'");
        return remember(subject, schema, answer.path("id").asInt());
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("GET", "/schemas/ids/" + id, null, "fetch schema id " + id);
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new SchemaRegistryException("schema id " + id + " is of type " + type + ", not AVRO", 0, 0, true);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(answer.path("schema").asText());
        } catch (RuntimeException e) {
            throw new SchemaRegistryException("schema id " + id + " does not parse as Avro: " + e.getMessage(), 0, 0,
                    true);
        }
        schemasById.put(id, schema);
        return schema;
    }

    /**
     * Sets the compatibility level of {@code subject} ({@code PUT /config/{subject}}), whether or not a schema is
     * registered under it yet: every later registration under the subject is checked against it.
     *
     * @param level a Confluent compatibility level: BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,
     *     FULL_TRANSITIVE or NONE
     * @return the level the registry now holds for the subject
     * @throws SchemaRegistryException naming the subject when the registry refuses or cannot be reached
     */
    public String setCompatibility(String subject, String level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level);
        JsonNode answer = send("PUT", "/config/" + encode(subject), body.toString(),
                "set compatibility " + level + " on subject '" + subject + "'");
        return answer.path("compatibility").asText(answer.path("compatibilityLevel").asText(level));
    }

    /** The compatibility level the registry applies to {@code subject} ({@code GET /config/{subject}}). */
    public String compatibility(String subject) {
        JsonNode answer = send("GET", "/config/" + encode(subject), null,
                "read the compatibility of subject '" + subject + "'");
        return answer.path("compatibilityLevel").asText(answer.path("compatibility").asText());
    }

    /** The registry's API root this client talks to. */
    public URI baseUri() {
        return baseUri;
    }

    private int remember(String subject, Schema schema, int id) {
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    private static String schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schemaType", "AVRO");
        body.put("schema", schema.toString());
        return body.toString();
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body, String what) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUri + path))
                .timeout(requestTimeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryException("could not " + what + ": registry at " + baseUri
                    + " unreachable (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while trying to " + what, e);
        }
        JsonNode json = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            int code = json.path("error_code").asInt(0);
            String message = json.path("message").asText(response.body());
            throw new SchemaRegistryException("could not " + what + ": registry at " + baseUri + " answered HTTP "
                    + response.statusCode() + (code == 0 ? "" : " error " + code) + ": " + message,
                    response.statusCode(), code);
        }
        return json;
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("message", body);
        }
    }
}
