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
        description = "Show Transflow's options: every transflow.* job key with its type, default, description and "
                + "deprecated keys, then the model hyper-parameters (model.*). The job commands take both with "
                + "--config FILE.yaml and --set key=value; evaluate takes the model.* keys with --set.")
final class ConfigCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--print-defaults", required = true,
            description = "Print every option with its default.")
    boolean printDefaults;

    @Option(names = "--markdown", description = "The job options as a Markdown table (the README's Configuration "
            + "section), without the model options.")
    boolean markdown;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(markdown ? OptionTable.markdown() : JobSettings.describe());
        out.flush();
        return CommandLine.ExitCode.OK;
    }
}
