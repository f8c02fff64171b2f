package dev.transflow.simulate;

/** Where the simulator's impressions go: CSV files or Kafka topics. */
public interface EventSink extends AutoCloseable {

    /** Called once per impression, in event-time order; {@code impression} is reused after the call. */
    void accept(SimulatedImpression impression);

    /** Writes out everything still buffered (for Kafka: clicks later than the last impression). */
    void finish();

    @Override
    void close();
}
