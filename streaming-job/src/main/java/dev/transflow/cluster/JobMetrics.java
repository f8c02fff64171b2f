package dev.transflow.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.JobID;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Reads a running job's operator metrics through Flink's REST API, the same numbers the web UI shows. A metric is
 * named by its last component (e.g. {@code trainedSamples}); values of all subtasks and operators that register it
 * are summed.
 */
public final class JobMetrics {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI rest;
    private final JobID job;

    public JobMetrics(URI restAddress, JobID job) {
        this.rest = restAddress;
        this.job = job;
    }

    /** Sum of the metric over the job's vertices, or empty when no operator has reported it yet. */
    public OptionalDouble sum(String metric) {
        return sums(List.of(metric)).get(metric);
    }

    /**
     * Sums of several metrics, read in one pass: two requests per vertex, whatever the number of metrics.
     *
     * @return for each name, its sum, or empty when no operator has reported it (or the REST API did not answer)
     */
    public Map<String, OptionalDouble> sums(List<String> metrics) {
        Map<String, double[]> totals = new HashMap<>();
        try {
            for (JsonNode vertex : get("/jobs/" + job).path("vertices")) {
                String base = "/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/metrics";
                Map<String, String> wanted = new HashMap<>();
                for (JsonNode m : get(base)) {
                    String id = m.path("id").asText();
                    for (String metric : metrics) {
                        if (id.equals(metric) || id.endsWith("." + metric)) {
                            wanted.put(id, metric);
                        }
                    }
                }
                if (wanted.isEmpty()) {
                    continue;
                }
                String query = URLEncoder.encode(String.join(",", wanted.keySet()), StandardCharsets.UTF_8);
                for (JsonNode value : get(base + "?get=" + query)) {
                    String metric = wanted.get(value.path("id").asText());
                    try {
                        double d = Double.parseDouble(value.path("value").asText());
                        if (metric != null && !Double.isNaN(d)) {
                            totals.computeIfAbsent(metric, k -> new double[1])[0] += d;
                        }
                    } catch (NumberFormatException ignored) {
                        // Not a number (e.g. a histogram's description): not summable.
                    }
                }
            }
        } catch (IOException e) {
            totals.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            totals.clear();
        }
        Map<String, OptionalDouble> out = new HashMap<>();
        for (String metric : metrics) {
            double[] t = totals.get(metric);
            out.put(metric, t == null ? OptionalDouble.empty() : OptionalDouble.of(t[0]));
        }
        return out;
    }

    /**
     * {@link #sums} as of now rather than as of the last fetch. The REST API answers from its metric store and, when
     * the store is older than {@code metrics.fetcher.update-interval}, starts a fetch from the task managers that
     * the answer does not wait for: a caller polling less often than that reads values one poll old (a rate reads
     * 0, then twice its value). This makes one request to start the fetch, waits {@code settle} for it to land
     * (longer than the update interval's fetch takes; the embedded cluster's interval is 1 s), then reads.
     */
    public Map<String, OptionalDouble> freshSums(List<String> metrics, Duration settle) throws InterruptedException {
        sums(metrics);
        Thread.sleep(settle.toMillis());
        return sums(metrics);
    }

    /**
     * Checkpoints of the job completed so far (across its restarts), or -1 when the REST API did not answer: a
     * checkpoint that completes after an operator emitted something commits it to exactly-once sinks.
     */
    public long completedCheckpoints() {
        try {
            return get("/jobs/" + job + "/checkpoints").path("counts").path("completed").asLong(-1);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The latest completed checkpoint: its id, end-to-end duration and state size (full, not incremental). */
    public record CheckpointStats(long id, long durationMillis, long stateBytes) {}

    /** The job's latest completed checkpoint, or empty before the first (or when the REST API did not answer). */
    public java.util.Optional<CheckpointStats> latestCheckpoint() {
        try {
            JsonNode latest = get("/jobs/" + job + "/checkpoints").path("latest").path("completed");
            if (!latest.hasNonNull("id")) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new CheckpointStats(latest.path("id").asLong(),
                    latest.path("end_to_end_duration").asLong(), latest.path("state_size").asLong()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest.resolve(path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }
}
