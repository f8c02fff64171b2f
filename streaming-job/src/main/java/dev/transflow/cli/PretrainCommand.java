package dev.transflow.cli;

import dev.transflow.job.MemJob;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code transflow pretrain ...}: the jobs that train knowledge models for the target model. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Continually train a knowledge model and publish its snapshots.",
        subcommands = {PretrainCommand.Mem.class})
final class PretrainCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing model: mem");
    }

    @Command(name = "mem", mixinStandardHelpOptions = true,
            description = {"Run the MEM job: continual training of MKT's multi-entity model on the labeled samples "
                    + "of both domains (topic samples, written by 'transflow run'), publishing a snapshot every "
                    + "transflow.mem.publish-every-samples samples or transflow.mem.publish-interval to "
                    + "transflow.snapshot.dir and announcing it on model.versions, where the TEM job picks it up.",
                    "Started with 'java -jar', it runs on an embedded Flink cluster; with 'flink run', on that one."})
    static final class Mem implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--bootstrap", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
        String bootstrap;

        @Option(names = "--group-id", paramLabel = "ID", defaultValue = MemJob.NAME,
                description = "Consumer group; also names the job's Kafka transactions (default: ${DEFAULT-VALUE}).")
        String groupId;

        @Mixin
        JobSettings settings;

        @Override
        public Integer call() throws Exception {
            return RunCommand.execute(spec, settings, MemJob.NAME, groupId,
                    (env, config) -> MemJob.build(env, bootstrap, groupId, config, false));
        }
    }
}
