package io.chainpulse.schema.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The trust store (and, for mutual TLS, key store) a registry client uses over https, as files, with Confluent's key
 * names ({@code schema.registry.ssl.truststore.location} …). A null location leaves the JVM's default. Its
 * {@link #toString()} names the files, never the passwords.
 *
 * <pre>{@code
 * RegistryTls tls = new RegistryTls("/etc/chainpulse/ca.p12", "PKCS12", trustPassword, null, null, null);
 * }</pre>
 */
public record RegistryTls(String truststoreLocation, String truststoreType, String truststorePassword,
                          String keystoreLocation, String keystoreType, String keystorePassword) {
    /** The JVM's default trust, no client certificate. */
    public static final RegistryTls DEFAULT = new RegistryTls(null, null, null, null, null, null);

    /** The context of these stores, or null when neither is set (the JVM default). */
    public SSLContext sslContext() {
        if (truststoreLocation == null && keystoreLocation == null) {
            return null;
        }
        try {
            TrustManagerFactory trust = null;
            if (truststoreLocation != null) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load("schema.registry.ssl.truststore", truststoreLocation, truststoreType, truststorePassword));
            }
            KeyManagerFactory keys = null;
            if (keystoreLocation != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(load("schema.registry.ssl.keystore", keystoreLocation, keystoreType, keystorePassword),
                        password(keystorePassword));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
                    null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("registry TLS settings cannot be used: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String key, String location, String type, String password) {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(type == null ? KeyStore.getDefaultType() : type);
            store.load(in, password(password));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(key + ".location " + location + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static char[] password(String password) {
        return password == null ? null : password.toCharArray();
    }

    @Override
    public String toString() {
        return "RegistryTls[truststore=" + truststoreLocation + ", keystore=" + keystoreLocation + "]";
    }
}
