package io.chainpulse.schema.registry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the client for a registry URL: {@code mock://scope} is in memory, anything else is the REST API. Clients are
 * shared per URL and credentials, so every serde of a JVM uses one cache.
 */
public final class SchemaRegistryClients {
    /** Registry calls give up after this long; they happen once per schema, never per record. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Map<Key, SchemaRegistryClient> SHARED = new ConcurrentHashMap<>();

    private SchemaRegistryClients() {}

    public static SchemaRegistryClient forUrl(String url) {
        return forUrl(url, null);
    }

    public static SchemaRegistryClient forUrl(String url, String basicAuthUserInfo) {
        return forUrl(url, basicAuthUserInfo == null ? null : RestSchemaRegistryClient.basicAuthorization(
                basicAuthUserInfo), RegistryTls.DEFAULT);
    }

    /**
     * The shared client of a registry, an identity and a TLS setup.
     *
     * @param authorization the whole {@code Authorization} header ({@code Basic …}, {@code Bearer …}) or null
     */
    public static SchemaRegistryClient forUrl(String url, String authorization, RegistryTls tls) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("schema.registry.url must be set (e.g. http://127.0.0.1:8081): "
                    + url);
        }
        if (url.startsWith("mock://")) {
            return InMemorySchemaRegistry.forScope(url.substring("mock://".length()));
        }
        // One client (and so one cache) per registry, identity and TLS setup, shared by every serde of the JVM.
        return SHARED.computeIfAbsent(new Key(url, authorization, tls),
                k -> new RestSchemaRegistryClient(url, authorization, tls.sslContext(), DEFAULT_TIMEOUT));
    }

    private record Key(String url, String authorization, RegistryTls tls) {
        @Override
        public String toString() {
            return "Key[" + url + "]";
        }
    }
}
