package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

class SetOptionsTest {
    private static final ConfigDef DEFINITION = new ConfigDef()
            .define("rules.file", ConfigDef.Type.STRING, "", ConfigDef.Importance.LOW, "rules")
            .define("window.size.ms", ConfigDef.Type.LONG, 1L, ConfigDef.Importance.LOW, "size");

    @Test
    void shouldPassKeysOfAPassThroughPrefixOn() {
        assertThatCode(() -> SetOptions.requireKnown(Map.of("streams.state.dir", "/app/state", "rules.file", "r.yaml"),
                DEFINITION, "streams.")).doesNotThrowAnyException();
    }

    @Test
    void shouldNameTheUnknownKeyTheKnownOnesAndThePrefixes() {
        assertThatThrownBy(() -> SetOptions.requireKnown(Map.of("state.dir", "/app/state"), DEFINITION, "streams."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--set state.dir: unknown setting; known: rules.file, window.size.ms; or any key starting "
                        + "with streams.");
        assertThatThrownBy(() -> SetOptions.requireKnown(Map.of("streams.state.dir", "x"), DEFINITION))
                .hasMessage("--set streams.state.dir: unknown setting; known: rules.file, window.size.ms");
    }
}
