package io.chainpulse.sink.es;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EsClientTest {

    @Test
    void shouldNameAMissingCaFile(@TempDir Path dir) {
        Path missing = dir.resolve("ca.pem");

        assertThatThrownBy(() -> EsClient.connect(config(missing))).isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value " + missing + " for configuration elasticsearch.tls.ca.path: "
                        + "cannot read a PEM CA certificate: " + missing);
    }

    @Test
    void shouldRejectACaFileWithoutCertificate(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("ca.pem"), "");

        assertThatThrownBy(() -> EsClient.connect(config(empty)))
                .hasMessage("Invalid value " + empty + " for configuration elasticsearch.tls.ca.path: "
                        + "no certificate in the file");
    }

    @Test
    void shouldTrustARealPemCaCertificate(@TempDir Path dir) throws Exception {
        // A CA certificate as an operator exports it: keytool from the running JDK, PEM (-rfc).
        Path keystore = dir.resolve("ca.p12");
        Path pem = dir.resolve("ca.pem");
        keytool(List.of("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=test-ca",
                "-ext", "bc:c", "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit"));
        keytool(List.of("-exportcert", "-rfc", "-alias", "ca", "-keystore", keystore.toString(), "-storetype",
                "PKCS12", "-storepass", "changeit", "-file", pem.toString()));

        try (EsClient client = EsClient.connect(config(pem))) {
            assertThat(client.client()).isNotNull();
        }
    }

    private static SinkEsConfig config(Path ca) {
        return new SinkEsConfig(Map.of(SinkEsConfig.ES_URLS, "https://127.0.0.1:9200",
                SinkEsConfig.ES_TLS_CA_PATH, ca.toString(), SinkEsConfig.ES_API_KEY, "secret"));
    }

    private static void keytool(List<String> args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
    }
}
