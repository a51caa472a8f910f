package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.schema.ProtocolEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ExamplesSchemaTest {
    @Test
    void shouldShipThePythonExampleTheSchemaTheSdkRegisters() throws Exception {
        Path copy = Path.of(System.getProperty("chainpulse.home", "..")).resolve("examples/python/ProtocolEvent.avsc");

        assertThat(Files.readString(copy)).isEqualTo(ProtocolEvent.getClassSchema().toString(true) + "\n");
    }
}
