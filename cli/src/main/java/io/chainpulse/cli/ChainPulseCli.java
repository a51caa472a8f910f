package io.chainpulse.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code ./chainpulse}. Unknown commands and flags end with a message naming them and exit code 2.
 */
@Command(name = "chainpulse",
        mixinStandardHelpOptions = true,
        version = "ChainPulse 0.1.0-SNAPSHOT",
        description = "Streaming analytics for blockchain networks: protocol events in, KPIs and anomalies out.",
        subcommands = {DemoCommand.class, UpCommand.class, SimulateCommand.class, ReplayCommand.class,
                CollectCommand.class, ProcessCommand.class, AnalyzeCommand.class, ReportCommand.class,
                EvaluateCommand.class, AnomalyCommand.class, AlertsCommand.class, NotifyCommand.class,
                DeadLettersCommand.class, SinkEsCommand.class, SinkPushgatewayCommand.class, DashboardCommand.class,
                IngestCommand.class, BenchCommand.class, ConfigCommand.class, CatalogCommand.class,
                CommandLine.HelpCommand.class})
public final class ChainPulseCli implements Runnable {
    /** Exit code for a command line that cannot be understood (picocli's convention, and the shell's). */
    static final int USAGE_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ChainPulseCli());
        cli.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException
                || e instanceof IllegalArgumentException ? USAGE_ERROR : 1);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("chainpulse " + commandLine.getCommandName() + ": " + e.getMessage());
            return e instanceof IllegalArgumentException ? USAGE_ERROR : 1;
        });
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
