package io.chainpulse.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ./chainpulse config}: every configuration key, as the Markdown tables of the README. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Print every configuration key (name, type, default, valid values, description) as Markdown.")
final class ConfigCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println(ConfigDocs.markdown());
        return 0;
    }
}
