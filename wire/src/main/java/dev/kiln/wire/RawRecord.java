package dev.kiln.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Kafka record as it arrived, before any decoding. Jobs read raw records so that a record
 * they cannot decode still reaches the dead-letter topic with its original bytes.
 * A Flink POJO: public fields and a no-argument constructor.
 */
public class RawRecord {
  public String topic;
  public int partition;
  public long offset;
  public byte[] key;
  public byte[] value;

  public RawRecord() {}

  public RawRecord(String topic, int partition, long offset, byte[] key, byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.key = key;
    this.value = value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawRecord r && partition == r.partition && offset == r.offset
        && Objects.equals(topic, r.topic) && Arrays.equals(key, r.key) && Arrays.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset);
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
