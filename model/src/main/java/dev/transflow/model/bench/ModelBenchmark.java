package dev.transflow.model.bench;

import dev.transflow.model.feature.EncodedSamples;
import dev.transflow.model.feature.SampleEncoder;
import dev.transflow.model.mkt.MktModel;
import dev.transflow.model.train.ModelConfig;

import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Throughput of MKT's two training stages and of TEM inference: MEM steps (a source batch plus a proportional
 * target batch), TEM steps with MEM frozen, and TEM scoring. Each figure follows a warm-up and is the rate over a
 * fixed number of rows, feeding included.
 */
public final class ModelBenchmark {

    private ModelBenchmark() {}

    /** Figures of one thread count. */
    public record Figures(int threads, int batchSize, double memTrainSamplesPerSecond,
            double temTrainSamplesPerSecond, double temInferSamplesPerSecond) {}

    public static Figures run(SampleEncoder encoder, EncodedSamples source, EncodedSamples target, int threads,
            int batchSize, Consumer<String> log) {
        ModelConfig config = ModelConfig.defaults().withThreads(threads).withBatchSize(batchSize).withFixedEpochs(1, 1);
        try (MktModel model = new MktModel("mkt", encoder, config, 1, MktModel.Settings.FULL)) {
            int warmSource = Math.min(source.rows, batchSize * 8);
            int warmTarget = Math.min(target.rows, Math.max(batchSize, warmSource * target.rows / source.rows));
            model.fitMem(source, warmSource, target, warmTarget);
            model.fitTem(target, Math.min(target.rows, batchSize * 8));
            model.predict(target, 0, Math.min(target.rows, batchSize * 8));

            long t0 = System.nanoTime();
            model.fitMem(source, source.rows, target, target.rows);
            double mem = (source.rows + target.rows) / seconds(t0);
            log.accept(String.format(Locale.ROOT, "threads=%d batch=%d MEM training: %.0f samples/s", threads,
                    batchSize, mem));

            long t1 = System.nanoTime();
            model.fitTem(target, target.rows);
            double tem = target.rows / seconds(t1);
            log.accept(String.format(Locale.ROOT, "threads=%d batch=%d TEM training (MEM frozen): %.0f samples/s",
                    threads, batchSize, tem));

            long t2 = System.nanoTime();
            model.predict(target, 0, target.rows);
            double infer = target.rows / seconds(t2);
            log.accept(String.format(Locale.ROOT, "threads=%d TEM inference: %.0f samples/s", threads, infer));
            return new Figures(threads, batchSize, mem, tem, infer);
        }
    }

    /** Whether TensorFlow can place an op on a GPU in this process, and which device answered. */
    public static String device() {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph).withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.GPU)
                    .deviceIndex(0).build());
            var sum = tf.math.add(tf.constant(1f), tf.constant(2f));
            try (Session session = new Session(graph, ConfigProto.newBuilder().setAllowSoftPlacement(false).build());
                    var result = session.runner().fetch(sum).run()) {
                return "GPU:0 (TensorFlow " + TensorFlow.version() + ")";
            }
        } catch (RuntimeException e) {
            return "CPU (TensorFlow " + TensorFlow.version() + ", " + Runtime.getRuntime().availableProcessors()
                    + " cores)";
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Peak resident set size of this process in MB, from /proc (NaN where unavailable). */
    public static double peakRssMb() {
        return processStatusMb("VmHWM:");
    }

    /** Resident set size of this process now, in MB, from /proc (NaN where unavailable). */
    public static double rssMb() {
        return processStatusMb("VmRSS:");
    }

    private static double processStatusMb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux: no figure.
        }
        return Double.NaN;
    }

    /** The JSON result: each headline key holds the best figure over thread counts and batch sizes. */
    public static String json(Iterable<Figures> all, String device) {
        double mem = 0;
        double tem = 0;
        double infer = 0;
        StringBuilder perThreads = new StringBuilder();
        for (Figures f : all) {
            mem = Math.max(mem, f.memTrainSamplesPerSecond());
            tem = Math.max(tem, f.temTrainSamplesPerSecond());
            infer = Math.max(infer, f.temInferSamplesPerSecond());
            if (perThreads.length() > 0) {
                perThreads.append(", ");
            }
            perThreads.append(String.format(Locale.ROOT, "{\"threads\": %d, \"batch_size\": %d, "
                    + "\"mem_train_samples_per_s\": %.0f, \"tem_train_samples_per_s\": %.0f, "
                    + "\"tem_infer_samples_per_s\": %.0f}", f.threads(), f.batchSize(), f.memTrainSamplesPerSecond(),
                    f.temTrainSamplesPerSecond(), f.temInferSamplesPerSecond()));
        }
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("tem_train_samples_per_s", Math.round(tem));
        head.put("mem_train_samples_per_s", Math.round(mem));
        head.put("tem_infer_samples_per_s", Math.round(infer));
        head.put("rss_mb", Math.round(peakRssMb()));
        StringBuilder json = new StringBuilder("{");
        head.forEach((k, v) -> json.append('"').append(k).append("\": ").append(v).append(", "));
        json.append("\"device\": \"").append(device.replace("\"", "'")).append("\", ");
        json.append("\"by_threads\": [").append(perThreads).append("]}\n");
        return json.toString();
    }
}
