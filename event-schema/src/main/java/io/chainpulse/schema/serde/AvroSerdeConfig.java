package io.chainpulse.schema.serde;

import io.chainpulse.schema.registry.RegistryTls;
import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.registry.RestSchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaRegistryClients;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of the Avro serdes. Key names are Confluent's, so existing client configurations work unchanged.
 */
public final class AvroSerdeConfig extends AbstractConfig {
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    /**
     * Not a text setting: a {@link RegistryWait} instance put in the serde's configuration map by the service that
     * owns it, so its deserializers wait for an unreachable registry (and the service knows when they do).
     */
    public static final String REGISTRY_WAIT = "chainpulse.registry.wait";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(SCHEMA_REGISTRY_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "URL of a Confluent-compatible schema registry API (Confluent, Apicurio's /apis/ccompat/v7, "
                            + "Redpanda), or mock://scope for an in-memory registry.")
            .define(AUTO_REGISTER_SCHEMAS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Register the writer's schema under <topic>-value (or -key) on first use. When false, the "
                            + "schema must already be registered and is only looked up.")
            .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
                    "user:password for HTTP basic authentication against the registry.")
            .define(BEARER_AUTH_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
                    "Token sent as 'Authorization: Bearer <token>' to the registry (instead of basic.auth.user.info).")
            .define(TRUSTSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
                    "Trust store file of an https registry (default: the JVM's trusted CAs).")
            .define(TRUSTSTORE_TYPE, Type.STRING, null, Importance.LOW,
                    "Trust store format, e.g. PKCS12 or JKS (default: the JVM's, PKCS12).")
            .define(TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Trust store password.")
            .define(KEYSTORE_LOCATION, Type.STRING, null, Importance.LOW,
                    "Key store file with the client certificate, for a registry that requires mutual TLS.")
            .define(KEYSTORE_TYPE, Type.STRING, null, Importance.LOW, "Key store format (default: the JVM's, PKCS12).")
            .define(KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW, "Key store and key password.");

    public AvroSerdeConfig(Map<?, ?> originals) {
        super(CONFIG, originals, false);
    }

    /** The (shared) registry client of {@link #SCHEMA_REGISTRY_URL}. */
    public SchemaRegistryClient registryClient() {
        return registry();
    }

    SchemaRegistryClient registry() {
        String url = getString(SCHEMA_REGISTRY_URL);
        Password basic = getPassword(BASIC_AUTH_USER_INFO);
        Password bearer = getPassword(BEARER_AUTH_TOKEN);
        if (basic != null && bearer != null) {
            throw new ConfigException(BEARER_AUTH_TOKEN + " and " + BASIC_AUTH_USER_INFO
                    + " are both set: the registry takes one kind of credentials");
        }
        String authorization = basic != null ? RestSchemaRegistryClient.basicAuthorization(basic.value())
                : bearer != null ? "Bearer " + bearer.value() : null;
        RegistryTls tls = new RegistryTls(getString(TRUSTSTORE_LOCATION), getString(TRUSTSTORE_TYPE),
                value(getPassword(TRUSTSTORE_PASSWORD)), getString(KEYSTORE_LOCATION), getString(KEYSTORE_TYPE),
                value(getPassword(KEYSTORE_PASSWORD)));
        try {
            return SchemaRegistryClients.forUrl(url, authorization, tls);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, url, e.getMessage());
        }
    }

    /**
     * The shared registry client of {@code url} with the credentials and TLS keys of this table found in
     * {@code settings} (a service's whole configuration: other keys are ignored).
     */
    public static SchemaRegistryClient registryClient(String url, Map<String, ?> settings) {
        Map<String, Object> serde = new HashMap<>();
        settings.forEach((key, value) -> {
            if (CONFIG.names().contains(key) && value != null) {
                serde.put(key, value);
            }
        });
        serde.put(SCHEMA_REGISTRY_URL, url);
        return new AvroSerdeConfig(serde).registry();
    }

    /** The registry keys of {@code settings} (credentials, TLS), to add to a serde's configuration map. */
    public static Map<String, Object> registryKeys(Map<String, ?> settings) {
        Map<String, Object> serde = new HashMap<>();
        settings.forEach((key, value) -> {
            if (CONFIG.names().contains(key) && !key.equals(SCHEMA_REGISTRY_URL) && value != null) {
                serde.put(key, value);
            }
        });
        return serde;
    }

    private static String value(Password password) {
        return password == null ? null : password.value();
    }

    /** The {@link #REGISTRY_WAIT} of {@code configs}, or null. */
    static RegistryWait registryWait(Map<String, ?> configs) {
        Object wait = configs.get(REGISTRY_WAIT);
        if (wait != null && !(wait instanceof RegistryWait)) {
            throw new ConfigException(REGISTRY_WAIT, wait, "must be a " + RegistryWait.class.getName() + " instance");
        }
        return (RegistryWait) wait;
    }

    boolean autoRegister() {
        return getBoolean(AUTO_REGISTER_SCHEMAS);
    }
}
