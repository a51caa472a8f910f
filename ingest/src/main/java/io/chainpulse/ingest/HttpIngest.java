package io.chainpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.chainpulse.schema.ProtocolEvent;
import io.chainpulse.schema.json.EventJson;
import io.chainpulse.schema.json.EventJsonException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/events}: a batch of events, as NDJSON (one event per line, the JSON Lines format) or as one JSON
 * array of the same objects. The JDK's HTTP server with a fixed pool of threads.
 *
 * <table>
 *   <caption>Answers</caption>
 *   <tr><td>202</td><td>{@code {"accepted":N}}: Kafka acknowledged every event of the batch ({@code acks=all})</td></tr>
 *   <tr><td>400</td><td>an invalid event: {@code {"error":…,"invalid":[{"line":2,"reason":…}]}} ({@code "element"}
 *       for an array, 1-based); <b>none</b> of the batch was recorded, so the corrected batch can be sent again whole</td></tr>
 *   <tr><td>401</td><td>a token is configured and the request has no {@code Authorization: Bearer <token>} with it</td></tr>
 *   <tr><td>413</td><td>the body is larger than the configured maximum</td></tr>
 *   <tr><td>429</td><td>the maximum of batches in flight is reached; {@code Retry-After: 1}</td></tr>
 *   <tr><td>503</td><td>Kafka is unreachable (the SDK is spooling or its spool is full), the sidecar is still
 *       recovering at start, or Kafka did not acknowledge within the timeout; {@code Retry-After: 5}. Except for the
 *       timeout, nothing of the batch was recorded.</td></tr>
 * </table>
 */
final class HttpIngest implements AutoCloseable {
    static final String PATH = "/v1/events";
    private static final Logger LOG = LoggerFactory.getLogger(HttpIngest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_INVALID_LISTED = 100;
    private static final Duration ACCEPT_WAIT = Duration.ofSeconds(2);

    private final HttpServer server;
    private final ExecutorService executor;
    private final Publisher publisher;
    private final byte[] token;
    private final int maxBytes;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final Duration ackTimeout;
    private final BooleanSupplier ready;
    private final Map<Integer, LongAdder> responses = new ConcurrentHashMap<>();
    private final LongAdder eventsAccepted = new LongAdder();

    /** Settings of the endpoint. {@code token} null: no authentication. */
    record Settings(InetSocketAddress address, String token, int maxBytes, int maxInFlight, int threads,
                    Duration ackTimeout) {}

    HttpIngest(Settings settings, Publisher publisher, BooleanSupplier ready) {
        this.publisher = publisher;
        this.token = settings.token() == null ? null : settings.token().getBytes(StandardCharsets.UTF_8);
        this.maxBytes = settings.maxBytes();
        this.maxInFlight = settings.maxInFlight();
        this.inFlight = new Semaphore(settings.maxInFlight());
        this.ackTimeout = settings.ackTimeout();
        this.ready = ready;
        try {
            server = HttpServer.create(settings.address(), 128);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serve " + PATH + " on " + settings.address() + ": "
                    + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "chainpulse-ingest-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Responses by status code since start. */
    Map<Integer, LongAdder> responses() {
        return responses;
    }

    long eventsAccepted() {
        return eventsAccepted.sum();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            Reply reply = answer(exchange);
            responses.computeIfAbsent(reply.status, s -> new LongAdder()).increment();
            byte[] body = reply.body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            reply.headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(reply.status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            LOG.debug("answering {} failed: {}", exchange.getRemoteAddress(), e.toString());
        } catch (RuntimeException e) {
            LOG.error("handling a request from {} failed", exchange.getRemoteAddress(), e);
        }
    }

    private record Reply(int status, String body, Map<String, String> headers) {
        static Reply of(int status, String body) {
            return new Reply(status, body, Map.of());
        }
    }

    private Reply answer(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(PATH)) {
            return Reply.of(404, error("no such path: " + exchange.getRequestURI().getPath() + "; events go to POST " + PATH));
        }
        if (token != null && !authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return new Reply(401, error("missing or wrong bearer token"), Map.of("WWW-Authenticate", "Bearer realm=\"chainpulse\""));
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            return new Reply(405, error("use POST " + PATH), Map.of("Allow", "POST"));
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && parseLong(length) > maxBytes) {
            return tooLarge();
        }
        if (!inFlight.tryAcquire()) {
            return new Reply(429, error(maxInFlight + " batches are being published already; retry after 1 s"),
                    Map.of("Retry-After", "1"));
        }
        try {
            byte[] body = readBounded(exchange.getRequestBody());
            if (body == null) {
                return tooLarge();
            }
            if (!ready.getAsBoolean()) {
                return unavailable("the ingest sidecar is still recovering its checkpoint; retry after 5 s");
            }
            if (!accepting()) {
                return unavailable("Kafka is unreachable; nothing of the batch was accepted, retry after 5 s");
            }
            Batch batch = parse(body);
            if (batch.error != null) {
                return Reply.of(400, error(batch.error));
            }
            if (!batch.invalid.isEmpty()) {
                return Reply.of(400, invalid(batch));
            }
            if (batch.events.isEmpty()) {
                return Reply.of(400, error("no events in the request body"));
            }
            long epoch = publisher.recording(() -> {
                for (ProtocolEvent event : batch.events) {
                    if (!publisher.record(event)) {
                        throw new IllegalStateException("the SDK was closed");
                    }
                }
            });
            Publisher.Outcome outcome = publisher.awaitAcknowledged(epoch, ackTimeout);
            switch (outcome) {
                case ACKNOWLEDGED:
                    eventsAccepted.add(batch.events.size());
                    return Reply.of(202, "{\"accepted\":" + batch.events.size() + "}");
                case DROPPED:
                    return unavailable("the SDK dropped events while this batch was published (spool full?); "
                            + "resend it unchanged (same event ids)");
                default:
                    return unavailable("Kafka did not acknowledge the batch within " + ackTimeout.toMillis()
                            + " ms; it may still arrive: resend it unchanged (same event ids)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("shutting down");
        } finally {
            inFlight.release();
        }
    }

    /** Kafka reachable and nothing spooled; waits a moment for it, as the SDK goes online shortly after its start. */
    private boolean accepting() throws InterruptedException {
        long deadline = System.nanoTime() + ACCEPT_WAIT.toNanos();
        while (!publisher.accepting()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private Reply tooLarge() {
        return new Reply(413, error("request body larger than " + maxBytes + " bytes; send smaller batches"),
                Map.of("Connection", "close"));
    }

    private static Reply unavailable(String message) {
        return new Reply(503, error(message), Map.of("Retry-After", "5"));
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8));
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The body, or null when it is longer than the maximum. */
    private byte[] readBounded(InputStream in) throws IOException {
        byte[] body = in.readNBytes(maxBytes + 1);
        return body.length > maxBytes ? null : body;
    }

    /** A parsed request: its events, or what was wrong with it. */
    static final class Batch {
        final List<ProtocolEvent> events = new ArrayList<>();
        final List<String[]> invalid = new ArrayList<>(); // {"line"|"element", number, reason}
        int invalidCount;
        String error;
    }

    static Batch parse(byte[] body) {
        Batch batch = new Batch();
        int first = 0;
        while (first < body.length && Character.isWhitespace(body[first])) {
            first++;
        }
        if (first < body.length && body[first] == '[') {
            JsonNode root;
            try {
                root = JSON.readTree(body);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                batch.error = "the body starts with '[' but is not a JSON array: " + e.getOriginalMessage();
                return batch;
            } catch (IOException e) {
                batch.error = "the body could not be read: " + e.getMessage();
                return batch;
            }
            int element = 0;
            for (JsonNode node : root) {
                element++;
                try {
                    if (!node.isObject()) {
                        throw new EventJsonException("expected a JSON object, got " + node.getNodeType());
                    }
                    batch.events.add(EventJson.parse(node.toString()));
                } catch (EventJsonException e) {
                    invalid(batch, "element", element, e.getMessage());
                }
            }
            return batch;
        }
        int start = 0;
        int line = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i < body.length && body[i] != '\n') {
                continue;
            }
            line++;
            String text = new String(body, start, i - start, StandardCharsets.UTF_8);
            start = i + 1;
            if (text.isBlank()) {
                continue;
            }
            try {
                batch.events.add(EventJson.parse(text));
            } catch (EventJsonException e) {
                invalid(batch, "line", line, e.getMessage());
            }
        }
        return batch;
    }

    private static void invalid(Batch batch, String unit, int number, String reason) {
        batch.invalidCount++;
        if (batch.invalid.size() < MAX_INVALID_LISTED) {
            batch.invalid.add(new String[] {unit, String.valueOf(number), reason});
        }
    }

    private static String invalid(Batch batch) {
        ObjectNode root = JSON.createObjectNode();
        int total = batch.invalidCount + batch.events.size();
        root.put("error", batch.invalidCount + " of " + total + " events are invalid; none of the batch was accepted");
        ArrayNode list = root.putArray("invalid");
        for (String[] item : batch.invalid) {
            list.addObject().put(item[0], Integer.parseInt(item[1])).put("reason", item[2]);
        }
        return root.toString();
    }

    private static String error(String message) {
        return JSON.createObjectNode().put("error", message).toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
