package io.chainpulse.sink.es;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorResponse;
import io.chainpulse.sink.es.Failures.Verdict;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailuresTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "429, es_rejected_execution_exception, RETRIABLE",
        "500, , RETRIABLE",
        "502, , RETRIABLE",
        "503, unavailable_shards_exception, RETRIABLE",
        "504, , RETRIABLE",
        "408, , RETRIABLE",
        "403, cluster_block_exception, RETRIABLE",
        "400, document_parsing_exception, PERMANENT",
        "400, mapper_parsing_exception, PERMANENT",
        "400, illegal_argument_exception, PERMANENT",
        "404, index_not_found_exception, PERMANENT",
        "409, version_conflict_engine_exception, PERMANENT",
        "401, security_exception, FATAL",
        "403, security_exception, FATAL"})
    void shouldClassifyABulkItemByStatusAndErrorType(int status, String type, Verdict verdict) {
        assertThat(Failures.ofItem(status, type)).isEqualTo(verdict);
    }

    @Test
    void shouldRetryConnectionErrorsAndTimeoutsOfAWholeRequest() {
        assertThat(Failures.ofRequest(new ConnectException("Connection refused"))).isEqualTo(Verdict.RETRIABLE);
        assertThat(Failures.ofRequest(new SocketTimeoutException("30,000 milliseconds timeout")))
                .isEqualTo(Verdict.RETRIABLE);
        assertThat(Failures.ofRequest(new IOException("Connection reset by peer"))).isEqualTo(Verdict.RETRIABLE);
    }

    @ParameterizedTest(name = "whole request {0} {1} -> {2}")
    @CsvSource({
        "429, es_rejected_execution_exception, RETRIABLE",
        "503, master_not_discovered_exception, RETRIABLE",
        // Never dead-letter a whole batch because the request was malformed or unauthorised: stop instead.
        "400, x_content_parse_exception, FATAL",
        "401, security_exception, FATAL"})
    void shouldClassifyAWholeRequestErrorAndNeverDeadLetterIt(int status, String type, Verdict verdict) {
        ElasticsearchException e = new ElasticsearchException("bulk",
                ErrorResponse.of(r -> r.status(status).error(c -> c.type(type).reason("because"))));

        assertThat(Failures.ofRequest(e)).isEqualTo(verdict);
    }

    @Test
    void shouldStopOnWhatNoRetryCanFix() {
        assertThat(Failures.ofRequest(new IllegalStateException("bug"))).isEqualTo(Verdict.FATAL);
    }

    @ParameterizedTest
    @CsvSource({"429, throttled", "503, unavailable", "500, unavailable", "403, blocked", "0, connection"})
    void shouldLabelRetriesWithABoundedReason(int status, String reason) {
        assertThat(Failures.retryReason(status)).isEqualTo(reason);
    }
}
