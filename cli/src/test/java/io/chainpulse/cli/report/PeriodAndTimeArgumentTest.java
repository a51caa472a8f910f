package io.chainpulse.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeriodAndTimeArgumentTest {
    private static final Instant NOW = Instant.parse("2026-11-30T04:00:00Z");

    @Test
    void shouldEndThePreviousPeriodWhereThisOneStartsWithTheSameLength() {
        Period period = new Period(Instant.parse("2026-11-30T03:00:00Z"), NOW);

        assertThat(period.previous()).isEqualTo(new Period(Instant.parse("2026-11-30T02:00:00Z"),
                Instant.parse("2026-11-30T03:00:00Z")));
        assertThat(period.toString()).isEqualTo("2026-11-30T03:00:00Z → 2026-11-30T04:00:00Z (1h)");
        assertThat(new Period(0, 90_500).toString()).isEqualTo("1970-01-01T00:00:00Z → 1970-01-01T00:01:30.500Z (1m 30.5s)");
    }

    @Test
    void shouldRejectAPeriodThatDoesNotEndAfterItStarts() {
        assertThatThrownBy(() -> new Period(NOW, NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a period must end after it starts: 2026-11-30T04:00:00Z → 2026-11-30T04:00:00Z");
    }

    @ParameterizedTest
    @CsvSource({
        "2026-11-29T10:15:30Z, 2026-11-29T10:15:30Z",
        "now,                  2026-11-30T04:00:00Z",
        "-1h,                  2026-11-30T03:00:00Z",
        "-30m,                 2026-11-30T03:30:00Z",
        "-90s,                 2026-11-30T03:58:30Z",
        "-500ms,               2026-11-30T03:59:59.500Z",
        "-2d,                  2026-11-28T04:00:00Z",
    })
    void shouldReadInstantsAndTimesBeforeNow(String text, String expected) {
        assertThat(TimeArgument.parse("--from", text, NOW)).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest
    @CsvSource({"yesterday", "1h", "-1w", "2026-11-30 04:00"})
    void shouldNameTheFlagAndValueItCannotRead(String text) {
        assertThatThrownBy(() -> TimeArgument.parse("--to", text, NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--to '" + text + "': expected an ISO-8601 instant such as 2026-11-30T04:00:00Z, or a "
                        + "time before now such as -1h, -30m, -90s, -2d or now");
    }
}
