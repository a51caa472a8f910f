package io.chainpulse.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A throw-away certificate authority and a broker certificate it signed (subject alternative names {@code 127.0.0.1}
 * and {@code localhost}, so clients keep hostname verification on), made once per directory by the JDK's own
 * {@code keytool} in child processes — no download, no extra library. Later broker starts reuse them.
 *
 * <p>Files: {@code broker.p12} (the broker's key and chain), {@code truststore.p12} (the CA, for Java clients),
 * {@code ca.pem} (the CA, for librdkafka and other non-Java clients), {@code store.password} (both stores' password).
 */
final class BrokerCertificates {
    private static final Duration KEYTOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final String VALIDITY_DAYS = "3650";

    private final Path dir;
    private final String password;

    private BrokerCertificates(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** The certificates in {@code dir}, made now if the directory does not hold them yet. */
    static synchronized BrokerCertificates inDirectory(Path dir) {
        try {
            if (!Files.exists(dir.resolve("store.password"))) {
                generate(dir);
            }
            return new BrokerCertificates(dir, Files.readString(dir.resolve("store.password")).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("could not make the broker's certificates in " + dir, e);
        }
    }

    Path keystore() {
        return dir.resolve("broker.p12");
    }

    Path truststore() {
        return dir.resolve("truststore.p12");
    }

    Path caCertificate() {
        return dir.resolve("ca.pem");
    }

    String password() {
        return password;
    }

    /**
     * Builds every file in a scratch directory and moves it into place at the end, so that a start interrupted
     * half-way leaves no keystore without its chain behind. Steps without a dependency on each other run at once:
     * each keytool is a JVM start.
     */
    private static void generate(Path dir) throws IOException {
        Path work = dir.resolveSibling(dir.getFileName() + ".partial");
        deleteRecursively(work);
        Files.createDirectories(work);
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        List<String> store = List.of("-storetype", "PKCS12", "-storepass", password);

        parallel(work,
                keytool(store, "-genkeypair", "-alias", "ca", "-dname", "CN=ChainPulse local stack CA",
                        "-keyalg", "EC", "-groupname", "secp256r1", "-validity", VALIDITY_DAYS,
                        "-ext", "bc:c", "-keystore", "ca.p12"),
                keytool(store, "-genkeypair", "-alias", "broker", "-dname", "CN=localhost",
                        "-keyalg", "EC", "-groupname", "secp256r1", "-validity", VALIDITY_DAYS,
                        "-keystore", "broker.p12"));
        parallel(work,
                keytool(store, "-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem"),
                keytool(store, "-certreq", "-alias", "broker", "-keystore", "broker.p12", "-file", "broker.csr"));
        parallel(work,
                keytool(store, "-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-infile", "broker.csr",
                        "-outfile", "broker.pem", "-validity", VALIDITY_DAYS,
                        "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                        "-ext", "KU=digitalSignature,keyEncipherment", "-ext", "EKU=serverAuth,clientAuth"),
                keytool(store, "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem",
                        "-keystore", "truststore.p12"));
        // The reply carries the whole chain; -noprompt installs it although the broker's store does not trust the CA.
        Files.writeString(work.resolve("chain.pem"),
                Files.readString(work.resolve("broker.pem")) + Files.readString(work.resolve("ca.pem")));
        parallel(work, keytool(store, "-importcert", "-noprompt", "-alias", "broker", "-file", "chain.pem",
                "-keystore", "broker.p12"));
        Files.writeString(work.resolve("store.password"), password + "\n");

        deleteRecursively(dir);
        Files.createDirectories(dir.getParent());
        Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<String> keytool(List<String> store, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(store);
        return command;
    }

    @SafeVarargs
    private static void parallel(Path work, List<String>... commands) {
        List<ChildProcess> running = new ArrayList<>();
        for (List<String> command : commands) {
            running.add(ChildProcess.start("keytool " + command.get(1), command,
                    work.resolve("keytool-" + command.get(1).substring(1) + ".log"), work));
        }
        for (ChildProcess process : running) {
            try {
                var exit = process.awaitExit(KEYTOOL_TIMEOUT);
                if (exit.isEmpty() || exit.getAsInt() != 0) {
                    process.kill();
                    throw new IllegalStateException("making the broker's certificates failed: " + process.name()
                            + (exit.isEmpty() ? " did not finish within " + KEYTOOL_TIMEOUT.toSeconds() + " s"
                                    : " exited with code " + exit.getAsInt()) + ":\n" + process.tail());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while making the broker's certificates", e);
            }
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var files = Files.walk(path)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
