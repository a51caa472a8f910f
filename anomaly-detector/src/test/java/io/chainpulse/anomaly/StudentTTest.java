package io.chainpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Student's t upper tails against the printed tables' critical values (odd and even degrees of freedom). */
class StudentTTest {
    @ParameterizedTest(name = "P(T >= {1}) with {0} df = {2}")
    @CsvSource({
            "1, 1.0, 0.25",          // Cauchy: 1/2 − atan(1)/π
            "1, 12.706, 0.025",
            "2, 2.920, 0.05",
            "3, 5.841, 0.005",
            "4, 4.604, 0.005",
            "10, 2.228, 0.025",
            "16, 2.921, 0.005",
            "30, 3.646, 0.0005",
            "5, 0.0, 0.5"})
    void shouldMatchTheTablesCriticalValues(int df, double t, double p) {
        assertThat(StudentT.upperTail(t, df)).isCloseTo(p, within(p * 2e-3));
    }

    @Test
    void shouldBeSymmetricAndExactAtTheExtremes() {
        assertThat(StudentT.upperTail(-4.604, 4)).isCloseTo(0.995, within(1e-5));
        assertThat(StudentT.upperTail(Double.POSITIVE_INFINITY, 4)).isZero();
        // far tails, where 1 − P(|T| < t) cancels most digits: scipy.stats.t.sf(100, 4) = 2.998001049e-08, and the
        // memory-leak detector's critical values at alpha 1e-5: t.isf(1e-5, 4) = 23.3322, t.isf(1e-5, 16) = 5.95944
        assertThat(StudentT.upperTail(100, 4)).isCloseTo(2.998001049e-8, within(1e-15));
        assertThat(StudentT.upperTail(23.3322, 4)).isCloseTo(1e-5, within(1e-9));
        assertThat(StudentT.upperTail(5.95944, 16)).isCloseTo(1e-5, within(1e-9));
        assertThatThrownBy(() -> StudentT.upperTail(1, 0)).hasMessage("df must be >= 1: 0");
    }
}
