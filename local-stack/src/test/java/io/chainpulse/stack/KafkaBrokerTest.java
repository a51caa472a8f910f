package io.chainpulse.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

    @Test
    void shouldMakeClusterIdsTheStorageToolAcceptsNeverStartingWithADash() {
        // one random id in 64 would start with '-' and be read as an option by kafka-storage format
        for (int i = 0; i < 10_000; i++) {
            String id = KafkaBroker.clusterId();
            assertThat(id).hasSize(22).doesNotStartWith("-");
            assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
        }
    }

    @Test
    void shouldRefuseScramNamesAndPasswordsTheStorageToolOrJaasCouldMisread() {
        KafkaBroker broker = KafkaBroker.inDirectory(Path.of("unused"));

        assertThatThrownBy(() -> broker.withSaslSsl("chain pulse", "secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SCRAM user name must be letters, digits, '.', '_' or '-' (at least one): 'chain pulse'");
        assertThatThrownBy(() -> broker.withSaslSsl("chainpulse", "se\"cret,]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SCRAM password must be letters, digits, '.', '_' or '-' (at least one): 'se\"cret,]'");
        assertThatThrownBy(() -> broker.withSaslSsl("chainpulse", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SCRAM password must be letters, digits, '.', '_' or '-' (at least one): ''");
        assertThatThrownBy(() -> broker.withSaslSsl(null, "secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SCRAM user name must be letters, digits, '.', '_' or '-' (at least one): null");
    }

    @Test
    void shouldGiveAPlaintextBrokersClientsOnlyTheBootstrapAddressAndNoCredentials() {
        KafkaBroker broker = KafkaBroker.inDirectory(Path.of("unused"), 19092);

        assertThat(broker.isSecured()).isFalse();
        assertThat(broker.withSaslSsl("chainpulse", "secret").isSecured()).isTrue();
        assertThat(broker.clientProperties()).isEqualTo(Map.of("bootstrap.servers", "127.0.0.1:19092"));
        assertThatThrownBy(() -> broker.clientProperties("chainpulse", "secret"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("broker on 127.0.0.1:19092 is PLAINTEXT: it takes no credentials"
                        + " (make it with withSaslSsl(user, password))");
    }
}
