package dev.transflow.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Flink MiniCluster in this JVM with its web UI and REST API on a free port (never a fixed one: a taken port
 * makes a MiniCluster hang), running several jobs side by side. The embedded default of {@code transflow demo}
 * and of the integration tests; on a real cluster the same jobs are submitted with {@code flink run}.
 *
 * <p>Everything it listens on is bound to 127.0.0.1 unless configured otherwise: Flink binds the REST API and the
 * blob server to every interface by default, and neither asks who is calling (the REST API cancels jobs and shows
 * their configuration). {@code rest.bind-address} (and {@code jobmanager.bind-host}, {@code taskmanager.bind-host})
 * widen it.
 */
public final class EmbeddedCluster implements AutoCloseable {

    /** Where the cluster listens unless the configuration says otherwise. */
    public static final String LOOPBACK = "127.0.0.1";

    /** Bind addresses that default to {@link #LOOPBACK} here: the REST API and web UI, the blob server, the TM. */
    private static final List<ConfigOption<String>> BIND_ADDRESSES = List.of(RestOptions.BIND_ADDRESS,
            JobManagerOptions.BIND_HOST, TaskManagerOptions.BIND_HOST);

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
        for (ConfigOption<String> bind : BIND_ADDRESSES) {
            if (!c.contains(bind)) {
                c.set(bind, LOOPBACK);
            }
        }
        if (!c.contains(RestOptions.ADDRESS) && LOOPBACK.equals(c.get(RestOptions.BIND_ADDRESS))) {
            // The address printed and used by clients: "localhost" may resolve to ::1, where nothing listens.
            c.set(RestOptions.ADDRESS, LOOPBACK);
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

    /** Base address of the web UI and REST API, e.g. {@code http://127.0.0.1:41233}. */
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
