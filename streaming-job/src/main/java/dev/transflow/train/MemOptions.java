package dev.transflow.train;

import dev.transflow.config.Validators;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.time.Duration;

/** {@code transflow.mem.*}: the MEM job's trainer and when it publishes. */
public final class MemOptions {

    private MemOptions() {}

    public static final String PREFIX = "transflow.mem.";

    public static final Validators VALIDATORS = new Validators();

    public static final ConfigOption<Long> PUBLISH_EVERY_SAMPLES = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "publish-every-samples").longType().defaultValue(200_000L)
            .withDeprecatedKeys("mem.publish-every-samples")
            .withDescription("The MEM job publishes a snapshot after this many trained samples, "
                    + "or after transflow.mem.publish-interval, whichever comes first."),
            Validators.atLeast(1L));

    public static long publishEverySamples(Configuration config) {
        return VALIDATORS.get(config, PUBLISH_EVERY_SAMPLES);
    }

    public static final ConfigOption<Duration> PUBLISH_INTERVAL = VALIDATORS.add(ConfigOptions
            .key(PREFIX + "publish-interval").durationType().defaultValue(Duration.ofMinutes(5))
            .withDeprecatedKeys("mem.publish-interval")
            .withDescription("Longest wall-clock time between two MEM snapshots while samples arrive."),
            Validators.notNegative());

    public static Duration publishInterval(Configuration config) {
        return VALIDATORS.get(config, PUBLISH_INTERVAL);
    }

    public static final ConfigOption<Integer> MAX_BUFFERED = ConfigOptions.key(PREFIX + "max-buffered-samples")
            .intType().defaultValue(4_096).withDeprecatedKeys("mem.max-buffered-samples")
            .withDescription("Most samples the MEM trainer holds while it waits for both domains to fill a batch. "
                    + "When that many are waiting and all are of one domain (the other's stream stalls), it trains "
                    + "on them alone, transflow.trainer.batch-size at a time, and counts them "
                    + "(singleDomainSamples); no sample is dropped. Bounds the trainer's heap, its checkpointed "
                    + "buffer and the size of one step. At least transflow.trainer.batch-size.");

    static {
        VALIDATORS.named("max-buffered-fits-batch", MemOptions::maxBuffered);
    }

    /** {@link #MAX_BUFFERED}, at least {@link TrainerOptions#BATCH_SIZE}: a mixed batch must fit in the buffer. */
    public static int maxBuffered(Configuration config) {
        int max = config.get(MAX_BUFFERED);
        int batch = TrainerOptions.batchSize(config);
        if (max < batch) {
            throw new IllegalArgumentException(MAX_BUFFERED.key() + " is " + max + "; it must be at least "
                    + TrainerOptions.BATCH_SIZE.key() + " (" + batch + "): raise it, e.g. to 16 times the batch size");
        }
        return max;
    }
}
