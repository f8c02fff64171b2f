package dev.transflow.cli;

import dev.transflow.cluster.EmbeddedCluster;
import dev.transflow.config.OptionCatalogue;
import dev.transflow.job.JobEnvironment;
import dev.transflow.job.TemJob;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code transflow run}: the TEM job. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the TEM job: Kafka impressions and clicks -> decode (bad records to dead-letters) -> "
                + "sample join (user history, labels) -> samples, and continual prequential training of the target "
                + "model with MEM versions from model.versions swapped in as they are published.",
                "Started with 'java -jar', it runs on an embedded Flink cluster and prints its web UI; started with "
                        + "'flink run transflow.jar run ...', on that cluster."},
        footer = {"", "Exactly-once: checkpoints every 10 s (execution.checkpointing.interval) hold the model with "
                + "the Kafka offsets; RocksDB state; retained checkpoints under ~/.transflow/checkpoints/<job>. "
                + "Under 'flink run' the cluster's settings win: its checkpoint directory and restart strategy "
                + "apply, and these defaults only fill keys its configuration leaves unset (the directory and "
                + "restart strategy never). "
                + "Resume a stopped job with --set execution.state-recovery.path=<checkpoint dir>."})
final class RunCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}, the 'transflow kafka start' broker).")
    String bootstrap;

    @Option(names = "--group-id", paramLabel = "ID", defaultValue = TemJob.NAME,
            description = "Consumer group; also names the job's Kafka transactions (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Mixin
    JobSettings settings;

    @Override
    public Integer call() throws Exception {
        return execute(spec, settings, TemJob.NAME, groupId, (env, config) -> TemJob.build(env, bootstrap, groupId,
                config, false, null));
    }

    /** Builds a job into an environment. */
    interface JobBuilder {
        void build(StreamExecutionEnvironment env, Configuration config) throws Exception;
    }

    /** Runs a job until it ends or Ctrl-C, on the context cluster or an embedded one. */
    static int execute(CommandSpec spec, JobSettings settings, String name, String groupId, JobBuilder builder)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (settings.listOptions) {
            out.print(JobSettings.describe());
            out.flush();
            return 0;
        }
        JobEnvironment.Prepared prepared;
        try {
            prepared = JobEnvironment.prepare(settings.configuration(), name);
            OptionCatalogue.validate(prepared.config()); // the cluster's settings with ours, before the job starts
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        StreamExecutionEnvironment env = prepared.env();
        Configuration config = prepared.config();
        builder.build(env, config);
        if (prepared.target() == JobEnvironment.Target.CLUSTER) {
            env.execute(name);
            return 0;
        }
        try (ShutdownSignal stop = new ShutdownSignal(name); EmbeddedCluster cluster = EmbeddedCluster.start(config, 2)) {
            JobID job = cluster.submit(env, name);
            out.println(name + " (" + job + ") is running; web UI: " + cluster.restAddress() + ". Ctrl-C stops it.");
            out.flush();
            while (!stop.getAsBoolean() && !cluster.status(job).isGloballyTerminalState()) {
                Thread.sleep(500);
            }
            if (stop.getAsBoolean()) {
                cluster.cancel(job);
                out.println(name + " cancelled; its last checkpoint is retained for a restart.");
            } else {
                cluster.await(job, Duration.ofSeconds(30));
                out.println(name + " finished.");
            }
            out.flush();
        }
        return 0;
    }
}
