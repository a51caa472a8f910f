package io.chainpulse.schema.serde;

import io.chainpulse.schema.registry.RegistryWait;
import io.chainpulse.schema.registry.SchemaRegistryClient;
import io.chainpulse.schema.registry.SchemaRegistryClients;
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
                    "user:password for HTTP basic authentication against the registry.");

    public AvroSerdeConfig(Map<?, ?> originals) {
        super(CONFIG, originals, false);
    }

    /** The (shared) registry client of {@link #SCHEMA_REGISTRY_URL}. */
    public SchemaRegistryClient registryClient() {
        return registry();
    }

    SchemaRegistryClient registry() {
        String url = getString(SCHEMA_REGISTRY_URL);
        Password auth = getPassword(BASIC_AUTH_USER_INFO);
        try {
            return SchemaRegistryClients.forUrl(url, auth == null ? null : auth.value());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, url, e.getMessage());
        }
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
