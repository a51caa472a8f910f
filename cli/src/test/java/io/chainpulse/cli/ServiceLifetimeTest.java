package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class ServiceLifetimeTest {
    private static final String SCRAM = "Authentication failed during authentication due to invalid credentials with "
            + "SASL mechanism SCRAM-SHA-512";

    @Test
    void shouldNameARefusedLoginAnywhereInTheCausesWithKafkasWordsAndTheSettingsToCheck() {
        Throwable wrapped = new IllegalStateException("poll failed", new KafkaException(new SaslAuthenticationException(SCRAM)));

        assertThat(ServiceLifetime.refusedByKafka(wrapped)).isTrue();
        assertThat(ServiceLifetime.refusal("notify", wrapped))
                .isEqualTo("Kafka refused notify's credentials (" + SCRAM + "): check security.protocol, sasl.*, ssl.*");
    }

    @Test
    void shouldNameADeniedPrincipalWithItsAcls() {
        Throwable denied = new TopicAuthorizationException(Set.of("chainpulse.kpis"));

        assertThat(ServiceLifetime.refusedByKafka(denied)).isTrue();
        assertThat(ServiceLifetime.refusal("sink-pushgateway", denied)).isEqualTo("Kafka denied sink-pushgateway's "
                + "principal access (Not authorized to access topics: [chainpulse.kpis]): check its ACLs");
    }

    @Test
    void shouldLeaveEveryOtherFailureToTheGenericMessage() {
        Throwable timeout = new IllegalStateException(new TimeoutException("Timed out waiting for a node assignment"));

        assertThat(ServiceLifetime.refusedByKafka(timeout)).isFalse();
        assertThat(ServiceLifetime.refusal("notify", timeout)).isEqualTo("cannot go on (" + timeout + ")");
    }
}
