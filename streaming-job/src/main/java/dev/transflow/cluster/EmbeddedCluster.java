package dev.transflow.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Flink MiniCluster in this JVM with its web UI and REST API on a free port (never a fixed one: a taken port
 * makes a MiniCluster hang), running several jobs side by side. The embedded default of {@code transflow demo}
 * and of the integration tests; on a real cluster the same jobs are submitted with {@code flink run}.
 */
public final class EmbeddedCluster implements AutoCloseable {

    private final MiniCluster cluster;
    private final URI restAddress;

    private EmbeddedCluster(MiniCluster cluster, URI restAddress) {
        this.cluster = cluster;
        this.restAddress = restAddress;
    }

    /** Starts a cluster of one TaskManager with {@code slots} slots; {@code config} is the cluster's base. */
    public static EmbeddedCluster start(Configuration config, int slots) throws Exception {
        Configuration c = new Configuration(config);
        if (!c.contains(RestOptions.BIND_PORT)) {
            c.set(RestOptions.BIND_PORT, "0");
        }
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        if (!c.contains(TaskManagerOptions.MANAGED_MEMORY_SIZE)) {
            // RocksDB's block cache and write buffers come from it; a local cluster's default is 128 MB for all
            // slots together.
            c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
        }
        if (!c.contains(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL)) {
            // The web UI and REST show metrics this fresh.
            c.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
        }
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(c).setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build());
        cluster.start();
        return new EmbeddedCluster(cluster, cluster.getRestAddress().get(30, TimeUnit.SECONDS));
    }

    /** Base address of the web UI and REST API, e.g. {@code http://localhost:41233}. */
    public URI restAddress() {
        return restAddress;
    }

    /** Submits the job built in {@code env} and returns at once. */
    public JobID submit(StreamExecutionEnvironment env, String name) throws Exception {
        var graph = env.getStreamGraph();
        graph.setJobName(name);
        return cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
    }

    public JobStatus status(JobID job) throws Exception {
        return cluster.getJobStatus(job).get(30, TimeUnit.SECONDS);
    }

    /** Waits for the job to end; throws with the job's failure cause when it failed. */
    public JobResult await(JobID job, Duration timeout) throws Exception {
        JobResult result = cluster.requestJobResult(job).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (result.getSerializedThrowable().isPresent()) {
            throw new IllegalStateException("Job " + job + " failed",
                    result.getSerializedThrowable().get().deserializeError(getClass().getClassLoader()));
        }
        return result;
    }

    public void cancel(JobID job) throws Exception {
        if (!status(job).isGloballyTerminalState()) {
            cluster.cancelJob(job).get(60, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.closeAsync().get(60, TimeUnit.SECONDS);
    }
}
