package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

    @Test
    void readmeShouldHoldExactlyTheGeneratedConfigurationTables() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("chainpulse.home"), "README.md"));
        int begin = readme.indexOf(ConfigDocs.BEGIN);
        int end = readme.indexOf(ConfigDocs.END);

        assertThat(begin).as("README.md has the config:begin marker").isNotNegative();
        assertThat(readme.substring(begin, end + ConfigDocs.END.length()))
                .as("README.md's configuration tables are stale: paste the output of ./chainpulse config")
                .isEqualTo(ConfigDocs.markdown());
    }

    @Test
    void shouldMarkRequiredKeysAndHideSecretDefaults() {
        assertThat(ConfigDocs.markdown())
                .contains("| `schema.registry.url` | string | (required) |")
                .contains("| `auto.register.schemas` | boolean | `true` |");
    }
}
