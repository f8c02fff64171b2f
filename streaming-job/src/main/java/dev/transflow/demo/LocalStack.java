package dev.transflow.demo;

import dev.transflow.broker.LocalKafkaBroker;
import dev.transflow.cluster.EmbeddedCluster;
import dev.transflow.job.JobEnvironment;
import dev.transflow.job.MemJob;
import dev.transflow.job.TemJob;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Everything of a deployment on one machine: a Kafka broker (own JVM, free port, data under the work directory)
 * and an {@link EmbeddedCluster} running the TEM and MEM jobs. Used by {@code transflow demo} and
 * {@code transflow bench pipeline}; closing it stops the jobs, the cluster and the broker and deletes the work
 * directory.
 */
public final class LocalStack implements AutoCloseable {

    private final Path workDir;
    private final LocalKafkaBroker broker;
    private final EmbeddedCluster cluster;

    private LocalStack(Path workDir, LocalKafkaBroker broker, EmbeddedCluster cluster) {
        this.workDir = workDir;
        this.broker = broker;
        this.cluster = cluster;
    }

    /** Starts a broker and a cluster with {@code slots} task slots. */
    public static LocalStack start(Configuration clusterConfig, int slots) throws Exception {
        Path workDir = Files.createTempDirectory("transflow-local-");
        LocalKafkaBroker broker = LocalKafkaBroker.start(new LocalKafkaBroker.Settings()
                .port(LocalKafkaBroker.freePort())
                .dataDir(workDir.resolve("kafka"))
                .heap("512m")
                .startupTimeout(Duration.ofSeconds(120)));
        try {
            return new LocalStack(workDir, broker, EmbeddedCluster.start(clusterConfig, slots));
        } catch (Exception e) {
            broker.stop(Duration.ofSeconds(30));
            throw e;
        }
    }

    public Path workDir() {
        return workDir;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public EmbeddedCluster cluster() {
        return cluster;
    }

    /** Submits the TEM job ({@code transflow run}) with {@code config} over the job defaults. */
    public JobID submitTem(Configuration config) throws Exception {
        Configuration c = JobEnvironment.withDefaults(config, TemJob.NAME, JobEnvironment.Target.EMBEDDED);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
        TemJob.build(env, bootstrapServers(), TemJob.NAME, c, false, null);
        return cluster.submit(env, TemJob.NAME);
    }

    /** Submits the MEM job ({@code transflow pretrain mem}) with {@code config} over the job defaults. */
    public JobID submitMem(Configuration config) throws Exception {
        Configuration c = JobEnvironment.withDefaults(config, MemJob.NAME, JobEnvironment.Target.EMBEDDED);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
        MemJob.build(env, bootstrapServers(), MemJob.NAME, c, false);
        return cluster.submit(env, MemJob.NAME);
    }

    @Override
    public void close() throws Exception {
        try {
            cluster.close();
        } finally {
            broker.stop(Duration.ofSeconds(30));
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // A leftover temporary directory is harmless.
            }
        }
    }
}
