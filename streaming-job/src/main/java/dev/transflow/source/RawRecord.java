package dev.transflow.source;

/**
 * A Kafka record as received: where it came from and its bytes. Sources emit these and decoding happens in
 * {@link DecodeFunction}, so an undecodable record becomes a dead letter instead of failing the job.
 * A Flink POJO (public fields, no-argument constructor).
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public RawRecord() {}

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }
}
