package io.chainpulse.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * {@code ./chainpulse} in-process for tests: each {@link #run} is a fresh command line whose standard output and error
 * are kept, across runs, for the assertions.
 */
final class CliRun {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Runs {@code chainpulse args…} and returns its exit code. */
    int run(String... args) {
        CommandLine cli = ChainPulseCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    /** All that the runs so far printed on standard output. */
    String out() {
        return out.toString();
    }

    /** All that the runs so far printed on standard error. */
    String err() {
        return err.toString();
    }
}
