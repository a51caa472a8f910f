package io.chainpulse.schema.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.chainpulse.schema.serde.AvroSerdeConfig;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client sends the configured credentials and trusts the configured trust store: checked against a
 * small HTTP(S) endpoint of the JDK that records the Authorization header of each request.
 */
class RegistryCredentialsTest {
    private static final Schema SCHEMA = Schema.create(Schema.Type.STRING);

    @TempDir
    Path dir;

    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        exchange.getRequestBody().readAllBytes();
        byte[] body = "{\"id\": 7}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private String start(HttpServer created) throws IOException {
        server = created;
        server.createContext("/", this::answer);
        server.start();
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://localhost:" + server.getAddress().getPort() + "/apis/ccompat/v7";
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Test
    void shouldSendTheBearerTokenAndTheBasicCredentials() throws Exception {
        String url = start(HttpServer.create(loopback(), 0));

        AvroSerdeConfig.registryClient(url, Map.of(AvroSerdeConfig.BEARER_AUTH_TOKEN, "t0k"))
                .register("bearer-value", SCHEMA);
        AvroSerdeConfig.registryClient(url, Map.of(AvroSerdeConfig.BASIC_AUTH_USER_INFO, "user:pass"))
                .register("basic-value", SCHEMA);
        AvroSerdeConfig.registryClient(url, Map.of("window.size.ms", "1")).register("none-value", SCHEMA);

        assertThat(authorizations).containsExactly("Bearer t0k", "Basic dXNlcjpwYXNz", "null");
    }

    @Test
    void shouldRefuseBothKindsOfCredentialsNamingThem() {
        assertThatThrownBy(() -> AvroSerdeConfig.registryClient("http://registry:8081", Map.of(
                AvroSerdeConfig.BEARER_AUTH_TOKEN, "t0k", AvroSerdeConfig.BASIC_AUTH_USER_INFO, "user:pass")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bearer.auth.token and basic.auth.user.info are both set: the registry takes one kind of "
                        + "credentials");
    }

    @Test
    void shouldTrustAnHttpsRegistryThroughTheConfiguredTrustStore() throws Exception {
        Path store = dir.resolve("registry.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store.toFile())) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keyManagers.getKeyManagers(), null, null);
        HttpsServer https = HttpsServer.create(loopback(), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        String url = start(https);

        // the JVM's CAs do not know this self-signed certificate: refused
        assertThatThrownBy(() -> AvroSerdeConfig.registryClient(url, Map.of()).register("untrusted-value", SCHEMA))
                .isInstanceOf(SchemaRegistryException.class);
        int id = AvroSerdeConfig.registryClient(url, Map.of(
                AvroSerdeConfig.TRUSTSTORE_LOCATION, store.toString(), AvroSerdeConfig.TRUSTSTORE_TYPE, "PKCS12",
                AvroSerdeConfig.TRUSTSTORE_PASSWORD, "changeit",
                AvroSerdeConfig.BEARER_AUTH_TOKEN, "t0k")).register("trusted-value", SCHEMA);

        assertThat(id).isEqualTo(7);
        assertThat(authorizations).containsExactly("Bearer t0k");
    }
}
