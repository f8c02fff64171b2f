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
import java.util.ArrayList;
import java.util.List;
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
        try {
            double total = 0;
            boolean found = false;
            for (JsonNode vertex : get("/jobs/" + job + "").path("vertices")) {
                String base = "/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/metrics";
                List<String> ids = new ArrayList<>();
                for (JsonNode m : get(base)) {
                    String id = m.path("id").asText();
                    if (id.equals(metric) || id.endsWith("." + metric)) {
                        ids.add(id);
                    }
                }
                if (ids.isEmpty()) {
                    continue;
                }
                String query = URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
                for (JsonNode value : get(base + "?get=" + query)) {
                    String v = value.path("value").asText();
                    try {
                        double d = Double.parseDouble(v);
                        if (!Double.isNaN(d)) {
                            total += d;
                            found = true;
                        }
                    } catch (NumberFormatException ignored) {
                        // Not a number (e.g. a histogram's description): not summable.
                    }
                }
            }
            return found ? OptionalDouble.of(total) : OptionalDouble.empty();
        } catch (IOException e) {
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
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
