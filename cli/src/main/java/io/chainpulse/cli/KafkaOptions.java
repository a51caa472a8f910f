package io.chainpulse.cli;

import io.chainpulse.schema.ClientSettings;
import io.chainpulse.schema.serde.AvroSerdeConfig;
import io.chainpulse.sdk.ChainPulseSdk;
import io.chainpulse.sdk.SdkConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options every Kafka-using command shares ({@code @Mixin KafkaOptions kafka;}), and how they make one map of
 * settings. Layers, the later winning: defaults, the {@code --config} properties file, {@code CHAINPULSE_*}
 * environment variables, {@code --set KEY=VALUE}, the command's own flags ({@code --bootstrap-server},
 * {@code --registry-url}, {@code --es-url}…). A key is one of the service's table, a registry key of the serdes' table
 * ({@code basic.auth.user.info}, {@code bearer.auth.token}, {@code schema.registry.ssl.*}), a key every Kafka client
 * takes ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}: to every client the command creates), or one under
 * {@code consumer.}, {@code producer.}, {@code admin.}, {@code streams.} (to that client only).
 *
 * <pre>{@code
 * Map<String, Object> settings = kafka.settings(ProcessorConfig.CONFIG, Map.of());
 * }</pre>
 */
final class KafkaOptions {
    static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
    static final String DEFAULT_REGISTRY_URL = "http://127.0.0.1:8081/apis/ccompat/v7";
    static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    static final String REGISTRY_URL = AvroSerdeConfig.SCHEMA_REGISTRY_URL;
    /** Environment: the brokers, the registry, the properties file, and any key as CHAINPULSE_SET_KEY. */
    static final String ENV_BOOTSTRAP_SERVER = "CHAINPULSE_BOOTSTRAP_SERVER";
    static final String ENV_REGISTRY_URL = "CHAINPULSE_REGISTRY_URL";
    static final String ENV_CONFIG = "CHAINPULSE_CONFIG";
    static final String ENV_SET_PREFIX = "CHAINPULSE_SET_";
    static final String HIDDEN = "[hidden]";
    /** Keys whose values are secrets: never printed. */
    private static final Pattern SECRET = Pattern.compile(
            ".*(password|secret|token|api\\.key|jaas\\.config|user\\.info|credentials|webhook\\.urls).*");

    @Option(names = {"--bootstrap-server", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers (default: " + DEFAULT_BOOTSTRAP_SERVERS + "; env " + ENV_BOOTSTRAP_SERVER + ").")
    String bootstrapServer;

    @Option(names = "--registry-url", paramLabel = "URL",
            description = "Confluent-compatible schema registry (default: " + DEFAULT_REGISTRY_URL + "; env "
                    + ENV_REGISTRY_URL + ").")
    String registryUrl;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Java properties file with any key --set takes (env " + ENV_CONFIG + "). Put secrets here "
                    + "or in files, never on the command line.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A setting of the service's table (./chainpulse config), a registry key (basic.auth.user.info, "
                    + "bearer.auth.token, schema.registry.ssl.*), a Kafka client key for every client "
                    + "(security.protocol, sasl.*, ssl.*…), or one for a single client kind (consumer.*, producer.*, "
                    + "admin.*, streams.*); repeatable. VALUE @FILE reads the value from FILE (for secrets). "
                    + "Env: CHAINPULSE_SET_<KEY> (upper case, . as _).")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--print-config",
            description = "Print the resolved settings (secrets hidden) and where each came from, then exit.")
    boolean printConfig;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The process's environment; tests replace it. */
    Map<String, String> environment = System.getenv();

    /** Where a resolved value came from, for {@code --print-config}. */
    private final Map<String, String> sources = new TreeMap<>();

    /**
     * The command's settings, every layer merged (see the class comment), with the command's own flags in
     * {@code flags} (null values are flags not given).
     *
     * @param definition the service's table, or null for a command without one
     * @throws IllegalArgumentException naming the unknown key and where it came from, or a secret file that cannot
     *     be read
     */
    Map<String, Object> settings(ConfigDef definition, Map<String, String> flags) {
        Map<String, Object> settings = new LinkedHashMap<>();
        sources.clear();
        put(settings, BOOTSTRAP_SERVERS, DEFAULT_BOOTSTRAP_SERVERS, "default");
        put(settings, REGISTRY_URL, DEFAULT_REGISTRY_URL, "default");
        Path file = configFile != null ? configFile
                : environment.containsKey(ENV_CONFIG) ? Path.of(environment.get(ENV_CONFIG)) : null;
        if (file != null) {
            String source = "--config " + file;
            fileSettings(file).forEach((key, value) -> put(settings, check(key, source, definition), value, source));
        }
        new TreeMap<>(environment).forEach((name, value) -> {
            if (name.startsWith(ENV_SET_PREFIX) && name.length() > ENV_SET_PREFIX.length()) {
                String key = envKey(name.substring(ENV_SET_PREFIX.length()));
                put(settings, check(key, name, definition), secret(value, name), name);
            }
        });
        putIfSet(settings, BOOTSTRAP_SERVERS, environment.get(ENV_BOOTSTRAP_SERVER), ENV_BOOTSTRAP_SERVER);
        putIfSet(settings, REGISTRY_URL, environment.get(ENV_REGISTRY_URL), ENV_REGISTRY_URL);
        set.forEach((key, value) -> put(settings, check(key, "--set", definition),
                secret(value, "--set " + key), "--set"));
        putIfSet(settings, BOOTSTRAP_SERVERS, bootstrapServer, "--bootstrap-server");
        putIfSet(settings, REGISTRY_URL, registryUrl, "--registry-url");
        flags.forEach((key, value) -> putIfSet(settings, key, value, "flag"));
        return settings;
    }

    /**
     * With {@code --print-config}, prints {@code settings} (see {@link #printout}) and returns true: the command then
     * returns 0 without starting anything.
     */
    boolean printed(Map<String, ?> settings) {
        if (!printConfig) {
            return false;
        }
        PrintWriter out = command.commandLine().getOut();
        out.print(printout(settings));
        out.flush();
        return true;
    }

    /** The settings, secrets hidden, one {@code key=value   (source)} a line, sorted by key. */
    String printout(Map<String, ?> settings) {
        StringBuilder out = new StringBuilder();
        masked(settings).forEach((key, value) -> out.append(key).append('=').append(value).append("   (")
                .append(sources.getOrDefault(key, "command")).append(")\n"));
        return out.toString();
    }

    /** A sorted copy of {@code settings} for a log or a terminal: the value of every secret key is {@value HIDDEN}. */
    static Map<String, String> masked(Map<String, ?> settings) {
        Map<String, String> masked = new TreeMap<>();
        settings.forEach((key, value) -> masked.put(key, value == null ? "" : isSecret(key) ? HIDDEN
                : String.valueOf(value)));
        return masked;
    }

    static boolean isSecret(String key) {
        return SECRET.matcher(key.toLowerCase(Locale.ROOT)).matches();
    }

    /** {@code SASL_JAAS_CONFIG} → {@code sasl.jaas.config}: lower case, {@code _} → {@code .}, {@code __} → {@code _}. */
    static String envKey(String name) {
        return name.toLowerCase(Locale.ROOT).replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
    }

    /**
     * The SDK settings of {@code settings}: the Kafka client keys for its producer under {@code kafka.}, and the
     * registry's credentials and TLS keys; for replay, simulate, collect and ingest.
     */
    static Map<String, Object> sdkSettings(Map<String, ?> settings) {
        Map<String, Object> sdk = new LinkedHashMap<>();
        ClientSettings.forClient(settings, ClientSettings.PRODUCER)
                .forEach((key, value) -> sdk.put(SdkConfig.KAFKA_PREFIX + key, value));
        sdk.putAll(AvroSerdeConfig.registryKeys(settings));
        sdk.remove(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS);
        return sdk;
    }

    /** Applies {@link #sdkSettings} to an SDK builder. */
    static ChainPulseSdk.Builder applyTo(ChainPulseSdk.Builder builder, Map<String, ?> settings) {
        sdkSettings(settings).forEach(builder::set);
        return builder;
    }

    static String bootstrapServers(Map<String, ?> settings) {
        return String.valueOf(settings.get(BOOTSTRAP_SERVERS));
    }

    static String registryUrl(Map<String, ?> settings) {
        return String.valueOf(settings.get(REGISTRY_URL));
    }

    private void put(Map<String, Object> settings, String key, Object value, String source) {
        settings.put(key, value);
        sources.put(key, source);
    }

    private void putIfSet(Map<String, Object> settings, String key, String value, String source) {
        if (value != null) {
            put(settings, key, value, source);
        }
    }

    private static String check(String key, String source, ConfigDef definition) {
        boolean known = (definition != null && definition.names().contains(key))
                || AvroSerdeConfig.CONFIG.names().contains(key) || ClientSettings.isClientKey(key)
                || key.equals(BOOTSTRAP_SERVERS);
        if (!known) {
            String own = definition == null ? "" : "known: " + String.join(", ", new TreeSet<>(definition.names())) + "; ";
            throw new IllegalArgumentException(source + " " + key + ": unknown setting; " + own + "or a registry key ("
                    + String.join(", ", new TreeSet<>(AvroSerdeConfig.CONFIG.names())) + "), a Kafka client key "
                    + "(security.protocol, sasl.*, ssl.*…), or any key starting with consumer., producer., admin., "
                    + "streams.");
        }
        return key;
    }

    /** {@code @FILE}: the file's content, without its trailing line break (a secret mounted as a file). */
    private static String secret(String value, String source) {
        if (value == null || !value.startsWith("@")) {
            return value;
        }
        Path file = Path.of(value.substring(1));
        try {
            return Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
        } catch (IOException e) {
            throw new IllegalArgumentException(source + "=@" + file + ": cannot read " + file + " (" + e + ")", e);
        }
    }

    private static Map<String, String> fileSettings(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--config file not found: " + file);
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("--config " + file + " cannot be read: " + e, e);
        }
        Map<String, String> settings = new TreeMap<>();
        properties.stringPropertyNames().forEach(key -> settings.put(key, properties.getProperty(key).trim()));
        return settings;
    }
}
