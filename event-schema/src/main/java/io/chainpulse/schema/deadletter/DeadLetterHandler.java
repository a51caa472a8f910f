package io.chainpulse.schema.deadletter;

import io.chainpulse.schema.DeadLetters;
import io.chainpulse.schema.registry.RegistryUnavailableException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka Streams apps' handler of records they cannot decode (KIP-1034 deserialization handler) or process
 * (KIP-1033 processing handler): the source record's original key and value bytes go to {@link DeadLetters#TOPIC}
 * with our headers, are counted, and processing resumes. The dead letter is written by the task's own producer, so
 * with {@code exactly_once_v2} it commits in the same transaction as the offset that skips the record: exactly once.
 *
 * <p>A {@link RegistryUnavailableException} is not poison: the deserializer has already waited for the registry (see
 * {@code RegistryWait}), and the handler answers FAIL, so nothing is skipped and no offset moves past the record.
 *
 * <pre>{@code
 * props.putAll(DeadLetterHandler.streamsConfig(new DeadLetterCounter("processor")));
 * }</pre>
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {
    /** The {@link DeadLetterCounter} to count in (an instance, not text): it names the service too. */
    public static final String COUNTER_CONFIG = "chainpulse.dead.letter.counter";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private DeadLetterCounter counter;

    /** The Streams settings that install this handler for both kinds of errors, counting in {@code counter}. */
    public static Map<String, Object> streamsConfig(DeadLetterCounter counter) {
        Map<String, Object> config = new HashMap<>();
        config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        config.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        // global stores too (none today): Kafka 5.0 will make it the default, and 4.x warns until then
        config.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        config.put(COUNTER_CONFIG, counter);
        return config;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object value = configs.get(COUNTER_CONFIG);
        if (!(value instanceof DeadLetterCounter c)) {
            throw new IllegalArgumentException(COUNTER_CONFIG + " must be a " + DeadLetterCounter.class.getName()
                    + " instance: " + value);
        }
        this.counter = c;
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context,
                                                                ConsumerRecord<byte[], byte[]> record,
                                                                Exception exception) {
        if (registryUnavailable(exception)) {
            LOG.error("{}-{}@{} not decoded, the schema registry is unavailable: failing, nothing skipped",
                    record.topic(), record.partition(), record.offset(), exception);
            return DeserializationExceptionHandler.Response.fail();
        }
        String reason = String.valueOf(exception.getMessage());
        LOG.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        counter.increment(record.topic());
        return DeserializationExceptionHandler.Response.resume(List.of(DeadLetters.record(record.topic(),
                record.partition(), record.offset(), counter.service(), reason, record.key(), record.value())));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record,
                                                           Exception exception) {
        if (registryUnavailable(exception)) {
            LOG.error("processing in {} failed, the schema registry is unavailable: failing, nothing skipped",
                    context.processorNodeId(), exception);
            return ProcessingExceptionHandler.Response.fail();
        }
        String reason = "processing failed in " + context.processorNodeId() + ": " + exception;
        LOG.warn("dead-lettering {}-{}@{}: {}", context.topic(), context.partition(), context.offset(), reason);
        counter.increment(context.topic());
        return ProcessingExceptionHandler.Response.resume(List.of(DeadLetters.record(context.topic(),
                context.partition(), context.offset(), counter.service(), reason, context.sourceRawKey(),
                context.sourceRawValue())));
    }

    private static boolean registryUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RegistryUnavailableException) {
                return true;
            }
        }
        return false;
    }
}
