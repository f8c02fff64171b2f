package dev.transflow.cli;

import dev.transflow.config.OptionTable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code transflow config}: Transflow's options, for people and for the README. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Show Transflow's job options: every transflow.* key with its type, default, description and "
                + "deprecated keys. The job commands take them with --config FILE.yaml and --set key=value.")
final class ConfigCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--print-defaults", required = true,
            description = "Print every option with its default.")
    boolean printDefaults;

    @Option(names = "--markdown", description = "As a Markdown table (the README's Configuration section).")
    boolean markdown;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(markdown ? OptionTable.markdown() : OptionTable.text());
        out.flush();
        return CommandLine.ExitCode.OK;
    }
}
