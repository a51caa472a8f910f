package io.chainpulse.cli.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainpulse.simulator.Fault;
import org.junit.jupiter.api.Test;

/** What a right alert names, per fault kind: the metrics the fault moves by its own mechanism at the faulty node. */
class FaultLadderTest {

    @Test
    void shouldCountEitherCrossNodeLatencyOfTheSkewedNodeAsRightForAClockSkew() {
        FaultLadder skew = FaultLadder.of(Fault.Kind.CLOCK_SKEW);

        assertThat(skew.node()).isTrue();
        assertThat(skew.metrics()).containsExactlyInAnyOrder("propagation_delay_ms", "proposal_to_vote_ms");
    }

    @Test
    void shouldKeepTheSlowValidatorsAndTheByzantinesRightMetricsToTheirDirectMeasures() {
        // proposal_to_vote_ms also contains a slow validator's consensus validation, but so does the network's part
        // of it: counting it would relabel the slow validator's first alerts, not detect it sooner
        assertThat(FaultLadder.of(Fault.Kind.SLOW_VALIDATOR).metrics())
                .containsExactlyInAnyOrder("consensus_latency_ms", "tx_validation_ms");
        // a byzantine node's own votes name it: every one it casts is for another block than the proposal's
        assertThat(FaultLadder.of(Fault.Kind.BYZANTINE).metrics())
                .containsExactlyInAnyOrder("block_creation_ms", "conflicting_votes");
    }
}
