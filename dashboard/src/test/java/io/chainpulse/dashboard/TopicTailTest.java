package io.chainpulse.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicTailTest {

    @ParameterizedTest(name = "[{0}, {1}) recent={2} backlog={3} -> {4}")
    @CsvSource(nullValues = "none", value = {
        // begin, end, first recent offset, backlog, start
        "0,     100,    none,  200,  0",     // short partition, nothing recent: all of it
        "0,     1000,   none,  200,  800",   // long partition, nothing recent (an old replay): the last 200
        "0,     1000,   950,   200,  950",   // recent records start later than the backlog bound: only those
        "0,     1000,   100,   200,  800",   // recent reaches further back than the bound: the bound wins
        "500,   600,    none,  200,  500",   // retention deleted the start: never before the beginning
        "0,     0,      none,  200,  0",     // empty partition
    })
    void shouldStartAtTheRecentPastButNeverMoreThanTheBacklogBeforeTheEnd(long begin, long end, Long recent,
                                                                           long backlog, long start) {
        assertThat(TopicTail.startOffset(begin, end, recent, backlog)).isEqualTo(start);
    }
}
