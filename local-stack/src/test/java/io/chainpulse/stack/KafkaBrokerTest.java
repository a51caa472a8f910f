package io.chainpulse.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
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
}
