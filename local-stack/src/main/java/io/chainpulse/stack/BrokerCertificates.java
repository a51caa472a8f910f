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
 * {@code keytool} in a child JVM — no download, no extra library. Later broker starts reuse them.
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
     * half-way leaves no keystore without its chain behind. All keytool steps run in one child JVM ({@link Steps}):
     * a JVM start per step cost 15 s on a loaded 2-core machine.
     */
    private static void generate(Path dir) throws IOException {
        Path work = dir.resolveSibling(dir.getFileName() + ".partial");
        deleteRecursively(work);
        Files.createDirectories(work);
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        List<String> store = List.of("-storetype", "PKCS12", "-storepass", password);

        List<List<String>> steps = List.of(
                keytool(store, "-genkeypair", "-alias", "ca", "-dname", "CN=ChainPulse local stack CA",
                        "-keyalg", "EC", "-groupname", "secp256r1", "-validity", VALIDITY_DAYS,
                        "-ext", "bc:c", "-keystore", "ca.p12"),
                keytool(store, "-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem"),
                keytool(store, "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem",
                        "-keystore", "truststore.p12"),
                keytool(store, "-genkeypair", "-alias", "broker", "-dname", "CN=localhost",
                        "-keyalg", "EC", "-groupname", "secp256r1", "-validity", VALIDITY_DAYS,
                        "-keystore", "broker.p12"),
                keytool(store, "-certreq", "-alias", "broker", "-keystore", "broker.p12", "-file", "broker.csr"),
                keytool(store, "-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-infile", "broker.csr",
                        "-outfile", "broker.pem", "-validity", VALIDITY_DAYS,
                        "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                        "-ext", "KU=digitalSignature,keyEncipherment", "-ext", "EKU=serverAuth,clientAuth"),
                // the CA in the broker's store first: keytool installs a signed reply only if it can build its chain
                keytool(store, "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem",
                        "-keystore", "broker.p12"),
                keytool(store, "-importcert", "-alias", "broker", "-file", "broker.pem", "-keystore", "broker.p12"));
        run(work, steps);
        Files.writeString(work.resolve("store.password"), password + "\n");

        deleteRecursively(dir);
        Files.createDirectories(dir.getParent());
        Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<String> keytool(List<String> store, String... args) {
        List<String> step = new ArrayList<>(List.of(args));
        step.addAll(store);
        return step;
    }

    private static void run(Path work, List<List<String>> steps) {
        List<String> command = new ArrayList<>(List.of(
                "--add-exports", "java.base/sun.security.tools.keytool=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", ownClasspath(), Steps.class.getName()));
        for (List<String> step : steps) {
            command.addAll(step);
            command.add(Steps.NEXT);
        }
        ChildProcess keytool = ChildProcess.startJava("keytool", command, work.resolve("keytool.log"), work);
        try {
            var exit = keytool.awaitExit(KEYTOOL_TIMEOUT);
            if (exit.isEmpty() || exit.getAsInt() != 0) {
                keytool.kill();
                throw new IllegalStateException("making the broker's certificates in " + work + " failed: keytool "
                        + (exit.isEmpty() ? "did not finish within " + KEYTOOL_TIMEOUT.toSeconds() + " s"
                                : "exited with code " + exit.getAsInt()) + ":\n" + keytool.tail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            keytool.kill();
            throw new IllegalStateException("interrupted while making the broker's certificates", e);
        }
    }

    /** Where this class was loaded from (target/classes or the local-stack jar): the child JVM's classpath. */
    private static String ownClasspath() {
        try {
            return Path.of(BrokerCertificates.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate local-stack's classes: " + e.getMessage(), e);
        }
    }

    /**
     * The child JVM: runs the JDK's keytool once per step ({@code step args... NEXT step args... NEXT}), in this one
     * JVM. keytool's {@code main} returns normally on success and exits the JVM with a non-zero code on failure.
     */
    static final class Steps {
        static final String NEXT = "--next-step--";

        public static void main(String[] args) throws Exception {
            var keytool = Class.forName("sun.security.tools.keytool.Main").getMethod("main", String[].class);
            List<String> step = new ArrayList<>();
            for (String arg : args) {
                if (!arg.equals(NEXT)) {
                    step.add(arg);
                    continue;
                }
                System.out.println("keytool " + String.join(" ", step.subList(0, 3)));
                keytool.invoke(null, (Object) step.toArray(String[]::new));
                step.clear();
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
