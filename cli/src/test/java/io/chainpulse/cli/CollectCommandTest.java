package io.chainpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code collect}'s refusals: each bad command line ends with exit code 2 and one line naming what was wrong. */
class CollectCommandTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private int run(String... args) {
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("collect", "--spool-dir", dir.resolve("spool").toString(),
                "--bootstrap-servers", "127.0.0.1:1"));
        all.addAll(List.of(args));
        return cli.execute(all.toArray(String[]::new));
    }

    @Test
    void shouldRefuseAPidThatIsNotRunning() {
        assertThat(run("--node-id", "n1", "--pid", "2147483000")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("chainpulse collect: --pid 2147483000: no such process" + NL);
    }

    @Test
    void shouldRefuseANameThatMatchesNoProcess() {
        assertThat(run("--node-id", "n1", "--process-name", "cp-none-4f2a")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("chainpulse collect: --process-name cp-none-4f2a: no running process has "
                + "that name" + NL);
    }

    @Test
    void shouldRefuseANameThatMatchesSeveralProcessesNamingThem() throws Exception {
        String name = "cpt-" + UUID.randomUUID().toString().substring(0, 8);
        Path binary = Files.copy(Path.of("/bin/sleep"), dir.resolve(name));
        binary.toFile().setExecutable(true);
        Process first = start(binary.toString(), "60");
        Process second = start(binary.toString(), "61");
        awaitNamed(name, 2);

        assertThat(run("--node-id", "n1", "--process-name", name)).isEqualTo(2);

        assertThat(err.toString()).isEqualTo("chainpulse collect: --process-name " + name + ": 2 processes have that "
                + "name: " + first.pid() + " (" + binary + " 60), " + second.pid() + " (" + binary + " 61); choose "
                + "one with --pid" + NL);
    }

    @Test
    void shouldRefuseAnInvalidNodeIdWithTheOneNodeIdRule() {
        assertThat(run("--node-id", "bad id!", "--pid", Long.toString(ProcessHandle.current().pid()))).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("chainpulse collect: --node-id: node id 'bad id!' must start with a letter "
                + "or digit and contain only A-Z a-z 0-9 . _ : -" + NL);
    }

    @Test
    void shouldRefuseAnIntervalOutOfRangeEchoingIt() {
        assertThat(run("--node-id", "n1", "--pid", "1", "--interval", "50ms")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("chainpulse collect: --interval: resource sampling interval must be "
                + "between 1 s and 1 h: 50 ms" + NL);
    }

    @Test
    void shouldRefuseADurationShorterThanTheInterval() {
        assertThat(run("--node-id", "n1", "--pid", "1", "--interval", "5s", "--duration", "2s")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("chainpulse collect: --duration 2000 ms is shorter than --interval "
                + "5000 ms: no sample would be taken" + NL);
    }

    @Test
    void shouldRefusePidAndProcessNameTogether() {
        assertThat(run("--node-id", "n1", "--pid", "1", "--process-name", "x")).isEqualTo(2);
        assertThat(err.toString()).startsWith("Error: --pid=<pid>, --process-name=<processName> are mutually exclusive");
    }

    private Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).start();
        children.add(p);
        return p;
    }

    /** exec of the copied binary is not instant: wait until the kernel names both children. */
    private static void awaitNamed(String name, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (io.chainpulse.sdk.resources.Processes.named(name).size() < count) {
            assertThat(System.nanoTime()).as("%d processes named %s", count, name).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
