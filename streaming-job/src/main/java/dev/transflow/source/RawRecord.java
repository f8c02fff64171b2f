package dev.transflow.source;

/**
 * A Kafka record as received: where it came from and its bytes. {@link RecordDecoder} turns it into an event, or
 * into a dead letter that keeps these coordinates, so an undecodable record never fails the job.
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
