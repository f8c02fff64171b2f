package dev.transflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * The one entry point: {@code java -jar transflow.jar <command> [options]}.
 *
 * <p>Exit codes: 0 success, 1 the command failed (the message says why and what to do), 2 bad usage,
 * 3 a {@code status} command found nothing running.
 */
@Command(name = "transflow",
        mixinStandardHelpOptions = true,
        versionProvider = TransflowCli.Version.class,
        description = "Continual cross-domain CTR training from event streams (Kafka + Flink + TensorFlow Java).",
        subcommands = {DemoCommand.class, KafkaCommand.class, RunCommand.class, PretrainCommand.class,
                SimulateCommand.class, ReplayCommand.class, EvaluateCommand.class, BenchCommand.class,
                ConfigCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'transflow <command> --help' for a command's options."})
public final class TransflowCli implements Runnable {

    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
    public static final int EXIT_NOT_RUNNING = 3;

    @Spec
    private CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of failures.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI in this JVM and returns the exit code instead of exiting. */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    /** The configured command line, for running the CLI in-process with other output streams. */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new TransflowCli());
        cli.registerConverter(Duration.class, new DurationConverter());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            err.println(commandLine.getCommandSpec().qualifiedName() + ": " + message);
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            if (verbose) {
                e.printStackTrace(err);
            } else {
                err.println("(run with --verbose for the stack trace)");
            }
            err.flush();
            return EXIT_FAILURE;
        });
        return cli;
    }

    @Override
    public void run() {
        // A bare 'transflow' is a usage error: picocli answers with the usage and exit code 2.
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command.");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = TransflowCli.class.getPackage().getImplementationVersion();
            return new String[] {"transflow " + (version != null ? version : "(development build)"),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
