package io.chainpulse.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChainsTest {

    @ParameterizedTest(name = "chain_id {0}: name {1}, id {2}, v1 within it {3}")
    @CsvSource(nullValues = "null", value = {
        "null,      default, null,    v1",
        "'',        default, null,    v1",
        "default,   default, null,    v1",
        "beta,      beta,    beta,    beta/v1",
        "a/b,       a/b,     a/b,     a/b/v1"})
    void shouldPutEventsWithoutAChainIdOnTheDefaultChainWhoseKeysAreTheKeysAlone(String chainId, String name,
                                                                                String id, String scoped) {
        assertThat(Chains.name(chainId)).isEqualTo(name);
        assertThat(Chains.idOf(chainId)).isEqualTo(id);
        assertThat(Chains.scoped(chainId, "v1")).isEqualTo(scoped);
        assertThat(Chains.chainOf(scoped)).isEqualTo(id);
        assertThat(Chains.keyOf(scoped)).isEqualTo("v1");
        assertThat(Chains.rekey(scoped, "network")).isEqualTo(Chains.scoped(chainId, "network"));
    }
}
