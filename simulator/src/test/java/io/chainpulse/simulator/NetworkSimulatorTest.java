package io.chainpulse.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainpulse.schema.EventStatus;
import io.chainpulse.schema.EventType;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.json.EventJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NetworkSimulatorTest {
    private static final long START_MS = 1_753_784_500_000L;
    private static final Scenario SHORT = Scenario.builtIn("baseline").withDuration(Duration.ofSeconds(20));

    @Test
    void shouldProduceTheSameEventsForTheSameSeedAndOthersForAnotherSeed() {
        List<String> first = lines(SHORT);
        List<String> again = lines(SHORT);
        List<String> otherSeed = lines(SHORT.withSeed(99));

        assertThat(first).isNotEmpty().isEqualTo(again);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void shouldEmitEveryEventTypeInTimestampOrder() {
        List<ProtocolEvent> events = events(Scenario.builtIn("byzantine").withDuration(Duration.ofSeconds(20)));

        Set<EventType> types = events.stream().map(ProtocolEvent::getEventType).collect(Collectors.toSet());
        assertThat(types).isEqualTo(EnumSet.complementOf(EnumSet.of(EventType.UNKNOWN)));
        assertThat(events).extracting(ProtocolEvent::getTimestampNs).isSorted();
    }

    @Test
    void shouldGenerateAboutTheScenarioRateOfTransactions() {
        long ingress = events(SHORT).stream().filter(e -> e.getEventType() == EventType.transaction_ingress).count();

        // 100 TPS over 20 block intervals of 1 s: 2,000 expected, Poisson sd ≈ 45; the seed is fixed, so this is exact
        assertThat(ingress).isEqualTo(2_078L);
    }

    @Test
    void shouldChangeOnlyTheSlowValidatorsValidationEventsWhileTheFaultIsActive() {
        Fault slow = new Fault(Fault.Kind.SLOW_VALIDATOR, "v3", Duration.ofSeconds(5), Duration.ofSeconds(10), 3.0);
        List<ProtocolEvent> baseline = events(SHORT);
        List<ProtocolEvent> faulted = events(SHORT.withFault(slow));

        List<String> changedIds = changed(baseline, faulted);
        assertThat(changedIds).isNotEmpty();
        assertThat(changedIds).allMatch(id -> id.startsWith("v3-"));
        // consensus validation at v3 inside the window takes exactly 3x as long
        ProtocolEvent before = baseline.stream().filter(e -> e.getNodeId().equals("v3")
                && e.getEventType() == EventType.consensus_validation_complete && e.getHeight() == 7).findFirst().orElseThrow();
        ProtocolEvent after = faulted.stream().filter(e -> e.getEventId().equals(before.getEventId())).findFirst().orElseThrow();
        assertThat(after.getDurationNs()).isBetween(3 * before.getDurationNs() - 1, 3 * before.getDurationNs() + 1);
    }

    @Test
    void shouldSilenceANodeOnlyDuringItsFault() {
        Fault silent = new Fault(Fault.Kind.SILENT_NODE, "v2", Duration.ofSeconds(5), Duration.ofSeconds(15), 0);
        List<ProtocolEvent> events = events(SHORT.withFault(silent));

        long start = START_MS * 1_000_000L + 5_000_000_000L;
        long end = START_MS * 1_000_000L + 15_000_000_000L;
        assertThat(events).filteredOn(e -> e.getNodeId().equals("v2"))
                .noneMatch(e -> e.getTimestampNs() >= start && e.getTimestampNs() < end)
                .anyMatch(e -> e.getTimestampNs() >= end);
    }

    @Test
    void shouldFailTheBurstingNodesValidationsOnlyWhileTheFaultIsActiveWithoutShiftingAnyRandomStream() {
        Fault burst = new Fault(Fault.Kind.FAILURE_BURST, "v3", Duration.ofSeconds(5), Duration.ofSeconds(15), 0.3);
        List<ProtocolEvent> baseline = events(SHORT);
        List<ProtocolEvent> faulted = events(SHORT.withFault(burst));

        // the same transactions arrive at the same nodes at the same times
        assertThat(ingress(faulted)).isEqualTo(ingress(baseline));
        Map<String, EventStatus> before = txOutcomes(baseline);
        Map<String, EventStatus> after = txOutcomes(faulted);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        Set<String> burstTxs = faulted.stream().filter(e -> e.getEventType() == EventType.transaction_ingress
                && e.getNodeId().equals("v3") && inBurst(e)).map(ProtocolEvent::getTxId).collect(Collectors.toSet());
        // outside the burst every outcome is the baseline's; inside, the baseline's failures still fail and more join
        assertThat(after).isEqualTo(overlay(before, after, burstTxs));
        assertThat(burstTxs).hasSize(244);
        assertThat(burstTxs).filteredOn(tx -> before.get(tx) == EventStatus.failure).hasSize(3);
        assertThat(burstTxs).filteredOn(tx -> after.get(tx) == EventStatus.failure).hasSize(62); // 25 %
        assertThat(burstTxs).filteredOn(tx -> before.get(tx) == EventStatus.failure)
                .allMatch(tx -> after.get(tx) == EventStatus.failure);
        // consensus validations: all succeed, except v3's inside the burst: 2 of its 10 there fail
        assertThat(consensusFailures(baseline)).isEmpty();
        assertThat(faulted).filteredOn(e -> e.getEventType() == EventType.consensus_validation_complete
                && e.getNodeId().equals("v3") && inBurst(e)).hasSize(10);
        assertThat(consensusFailures(faulted)).containsExactly("v3|6", "v3|11");
    }

    @Test
    void shouldSlowASaturatedNodeExactlyAsASlowValidatorOfTheSameMagnitude() {
        Duration from = Duration.ofSeconds(5);
        Duration to = Duration.ofSeconds(10);
        List<ProtocolEvent> saturated = events(SHORT.withFault(new Fault(Fault.Kind.CPU_SATURATION, "v3", from, to, 3.0)));
        List<ProtocolEvent> slow = events(SHORT.withFault(new Fault(Fault.Kind.SLOW_VALIDATOR, "v3", from, to, 3.0)));

        assertThat(changed(events(SHORT), saturated)).isNotEmpty().allMatch(id -> id.startsWith("v3-"));
        assertThat(lines(saturated)).isEqualTo(lines(slow));
    }

    @Test
    void shouldLeaveEveryEventOfALeakingNodeAsItWas() {
        Fault leak = new Fault(Fault.Kind.MEMORY_LEAK, "v2", Duration.ofSeconds(5), Duration.ofSeconds(15), 500);

        assertThat(lines(events(SHORT.withFault(leak)))).isEqualTo(lines(events(SHORT)));
    }

    @Test
    void shouldRejectACpuSaturationBelowOneAndAMemoryLeakOfNothing() {
        assertThatThrownBy(() -> new Fault(Fault.Kind.CPU_SATURATION, "v1", Duration.ZERO, Duration.ofSeconds(1), 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fault cpu_saturation magnitude must be a slowdown of at least 1: 0.5");
        assertThatThrownBy(() -> new Fault(Fault.Kind.MEMORY_LEAK, "v1", Duration.ZERO, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fault memory_leak magnitude must be MiB per minute above 0: 0.0");
    }

    @Test
    void shouldRejectAFailureBurstThatIsNotAProbability() {
        assertThatThrownBy(() -> new Fault(Fault.Kind.FAILURE_BURST, "v1", Duration.ZERO, Duration.ofSeconds(1), 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fault failure_burst magnitude must be a probability in [0, 1]: 1.5");
    }

    private static boolean inBurst(ProtocolEvent e) {
        long simMs = e.getTimestampNs() / 1_000_000L - START_MS;
        return simMs >= 5_000 && simMs < 15_000;
    }

    private static List<String> ingress(List<ProtocolEvent> events) {
        return events.stream().filter(e -> e.getEventType() == EventType.transaction_ingress)
                .map(e -> e.getTxId() + "@" + e.getNodeId() + "@" + e.getTimestampNs()).toList();
    }

    private static Map<String, EventStatus> txOutcomes(List<ProtocolEvent> events) {
        return events.stream().filter(e -> e.getEventType() == EventType.transaction_validation_complete)
                .collect(Collectors.toMap(ProtocolEvent::getTxId, ProtocolEvent::getStatus));
    }

    /** The baseline's outcomes with the burst transactions' taken from the faulted run. */
    private static Map<String, EventStatus> overlay(Map<String, EventStatus> before, Map<String, EventStatus> after,
                                                    Set<String> burstTxs) {
        Map<String, EventStatus> out = new java.util.HashMap<>(before);
        burstTxs.forEach(tx -> out.put(tx, after.get(tx)));
        return out;
    }

    private static List<String> consensusFailures(List<ProtocolEvent> events) {
        return events.stream().filter(e -> e.getEventType() == EventType.consensus_validation_complete
                        && e.getStatus() != EventStatus.success)
                .map(e -> e.getNodeId() + "|" + e.getHeight()).toList();
    }

    @Test
    void shouldGiveEveryBlockTheSizeOfItsHeaderPlusItsTransactions() {
        List<ProtocolEvent> events = events(SHORT);
        java.util.Map<String, Long> ingressSize = new java.util.HashMap<>();
        java.util.Map<String, Long> ingressMs = new java.util.HashMap<>();
        java.util.Map<Long, Long> expected = new java.util.TreeMap<>();
        for (ProtocolEvent e : events) {
            if (e.getEventType() == EventType.transaction_ingress) {
                ingressSize.put(e.getTxId(), e.getSizeBytes());
                ingressMs.put(e.getTxId(), e.getTimestampNs() / 1_000_000L - START_MS);
            } else if (e.getEventType() == EventType.transaction_pool_enqueued) {
                // block h holds the valid transactions that arrived in [h − 1, h) s
                long h = ingressMs.get(e.getTxId()) / 1_000 + 1;
                expected.merge(h, ingressSize.get(e.getTxId()), Long::sum);
            }
        }

        List<ProtocolEvent> finalizations = events.stream()
                .filter(e -> e.getEventType() == EventType.block_finalization).toList();
        assertThat(finalizations).hasSize(20 * 4);
        for (ProtocolEvent f : finalizations) {
            assertThat(f.getSizeBytes()).as("height %d", f.getHeight())
                    .isEqualTo(NetworkSimulator.BLOCK_HEADER_BYTES + expected.getOrDefault(f.getHeight(), 0L));
        }
        assertThat(events).filteredOn(e -> e.getEventType() == EventType.block_execution_complete)
                .hasSize(20).allMatch(e -> e.getSizeBytes() == NetworkSimulator.BLOCK_HEADER_BYTES
                        + expected.getOrDefault(e.getHeight(), 0L));
    }

    @Test
    void shouldDropOnlyTheStoppedNodesVotesDuringItsFaultAndKeepEveryOtherEventAsItWas() {
        Fault stop = new Fault(Fault.Kind.STOP_VOTING, "v2", Duration.ofSeconds(5), Duration.ofSeconds(15), 0);
        List<ProtocolEvent> baseline = events(SHORT);
        List<ProtocolEvent> faulted = events(SHORT.withFault(stop));

        long start = START_MS * 1_000_000L + 5_000_000_000L;
        long end = START_MS * 1_000_000L + 15_000_000_000L;
        Set<ProtocolEvent> kept = Set.copyOf(faulted);
        List<ProtocolEvent> dropped = baseline.stream().filter(e -> !kept.contains(e)).toList();
        // heights 5 … 14 vote 5.0x s – 14.0x s into the run: ten votes of v2, nothing else
        assertThat(dropped).hasSize(10).allMatch(e -> e.getNodeId().equals("v2")
                && e.getEventType() == EventType.consensus_vote && e.getTimestampNs() >= start && e.getTimestampNs() < end);
        assertThat(dropped).extracting(ProtocolEvent::getHeight).containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L);
        assertThat(faulted).hasSize(baseline.size() - 10);
        assertThat(Set.copyOf(baseline)).containsAll(kept);
    }

    /**
     * A byzantine validator at p=0.2 (evaluate's target): a fifth of the blocks it leads need a second round, and
     * those heights only; none of its votes counts — each is missing (a fifth) or for another block. The extra rounds
     * are there, but sparse: 2 of the 15 heights v4 leads in its minute, 16 s apart.
     */
    @Test
    void shouldForceASecondRoundOnlyOnHeightsTheByzantineNodeLeadsAndNeverCastAMatchingVote() {
        Scenario network = new Scenario("byzantine-leader", "simnet", 4, 20, Duration.ofSeconds(1),
                Duration.ofSeconds(240), 1, 0, List.of(new Fault(Fault.Kind.BYZANTINE, "v4", Duration.ofSeconds(150),
                        Duration.ofSeconds(210), 0.2)));
        List<ProtocolEvent> events = events(network);

        Map<Long, String> proposedHash = new java.util.HashMap<>();
        Map<Long, Integer> rounds = new java.util.TreeMap<>();
        events.stream().filter(e -> e.getEventType() == EventType.consensus_proposal).forEach(e -> {
            proposedHash.put(e.getHeight(), e.getBlockHash());
            rounds.merge(e.getHeight(), e.getRound() + 1, Math::max);
        });
        assertThat(rounds.entrySet().stream().filter(r -> r.getValue() > 1).map(Map.Entry::getKey))
                .containsExactly(152L, 168L);
        assertThat(events).filteredOn(e -> e.getEventType() == EventType.consensus_proposal && e.getRound() == 1)
                .extracting(e -> e.getLeader().toString()).containsOnly("v4");
        long led = events.stream().filter(e -> e.getEventType() == EventType.block_creation_start
                && e.getNodeId().equals("v4") && e.getHeight() >= 150 && e.getHeight() < 210).count();
        assertThat(led).isEqualTo(15);

        List<ProtocolEvent> v4Votes = events.stream().filter(e -> e.getEventType() == EventType.consensus_vote
                && e.getNodeId().equals("v4") && e.getHeight() >= 150 && e.getHeight() < 210).toList();
        assertThat(v4Votes).noneMatch(v -> v.getBlockHash().equals(proposedHash.get(v.getHeight())))
                .allMatch(v -> "true".equals(v.getMetadata().get("conflicting")));
        // 62 votes due (60 heights, two of them twice): 16 missing, 46 for another block
        assertThat(v4Votes).hasSize(46);
    }

    private static List<String> changed(List<ProtocolEvent> a, List<ProtocolEvent> b) {
        var byId = b.stream().collect(Collectors.toMap(ProtocolEvent::getEventId, e -> e));
        List<String> out = new ArrayList<>();
        for (ProtocolEvent e : a) {
            if (!e.equals(byId.get(e.getEventId()))) {
                out.add(e.getEventId());
            }
        }
        return out;
    }

    private static List<ProtocolEvent> events(Scenario scenario) {
        List<ProtocolEvent> out = new ArrayList<>();
        new NetworkSimulator(scenario, START_MS).run(out::add);
        return out;
    }

    private static List<String> lines(Scenario scenario) {
        return lines(events(scenario));
    }

    private static List<String> lines(List<ProtocolEvent> events) {
        return events.stream().map(EventJson::write).toList();
    }
}
