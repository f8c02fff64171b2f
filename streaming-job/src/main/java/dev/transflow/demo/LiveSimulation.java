package dev.transflow.demo;

import dev.transflow.schemas.Click;
import dev.transflow.schemas.EntityType;
import dev.transflow.schemas.codec.EventCodec;
import dev.transflow.simulate.KafkaSink;
import dev.transflow.simulate.PacedSink;
import dev.transflow.simulate.SimulationReport;
import dev.transflow.simulate.Simulator;
import dev.transflow.simulate.SimulatorOptions;
import dev.transflow.topic.EventProducer;
import dev.transflow.topic.Topic;

import org.apache.flink.configuration.Configuration;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The simulator as a live source: event time is wall-clock time (the simulated clock starts now at the given
 * rate, and each impression is sent when the wall clock reaches its event time), so labels and latencies behave as
 * in production and event time never runs ahead of the clock; clicks due after {@link #stop()} are not sent. Runs
 * on its own thread until {@link #stop()}.
 */
public final class LiveSimulation implements AutoCloseable {

    private final EventProducer producer;
    private final Thread thread;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile SimulationReport report;

    /**
     * @param world simulator settings (a {@link dev.transflow.simulate.WorldPreset}'s plus overrides); start time and
     *        event rate are set here
     */
    public LiveSimulation(String bootstrap, Configuration world, long seed, double rate, long impressions) {
        Configuration config = new Configuration(world);
        config.set(SimulatorOptions.START_TIME, System.currentTimeMillis());
        config.set(SimulatorOptions.IMPRESSIONS_PER_SECOND, rate);
        Simulator simulator = new Simulator(config, seed);
        this.producer = new EventProducer(bootstrap);
        var sink = PacedSink.atEventTime(KafkaSink.live(simulator.world(), producer, "live" + seed + "-"
                + Long.toString(System.currentTimeMillis(), 36)));
        this.thread = new Thread(() -> {
            try {
                report = simulator.run(impressions, sink, stop::get);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "live-simulation");
        thread.setDaemon(true);
    }

    public LiveSimulation start() {
        thread.start();
        return this;
    }

    /**
     * Sends {@code count} malformed records, cycling through three kinds: bytes that are no Avro single-object
     * encoding, a truncated payload, and a click from the far future. Each must reach the dead-letter topic.
     */
    public void sendBadRecords(int count) {
        EventCodec<Click> codec = EventCodec.of(Click.class);
        long now = System.currentTimeMillis();
        for (int i = 0; i < count; i++) {
            Click click = Click.newBuilder().setImpressionId("bad-" + i).setUserId("u-bad").setItemId("i-bad")
                    .setEntityType(EntityType.POST).setEventTime(now).build();
            switch (i % 3) {
                case 0 -> producer.sendRaw(Topic.POST_IMPRESSIONS, "bad", ("not an event " + i)
                        .getBytes(StandardCharsets.UTF_8), now);
                case 1 -> {
                    byte[] valid = codec.encode(click);
                    producer.sendRaw(Topic.CLICKS, "bad", Arrays.copyOf(valid, valid.length - 3), now);
                }
                default -> producer.send(Topic.CLICKS, "bad",
                        Click.newBuilder(click).setEventTime(now + 365L * 24 * 3600 * 1000).build(), now);
            }
        }
        producer.flush();
    }

    /** Records sent to Kafka so far (impressions and clicks). */
    public long eventsSent() {
        return producer.sent();
    }

    /** The simulator's failure, if it stopped with one. */
    public Throwable failure() {
        return failure.get();
    }

    /** Stops the simulator and waits for its last records to be acknowledged. */
    public SimulationReport stop() throws InterruptedException {
        stop.set(true);
        thread.join(60_000);
        return report;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        producer.close();
    }
}
