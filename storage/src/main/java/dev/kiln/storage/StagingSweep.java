package dev.kiln.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Finds and deletes staging objects that no pipeline step will ever publish or delete: the rest
 * that the jobs' own cleanup cannot cover (state lost, a job removed mid-batch). An object under
 * {@code staging/} is only an orphan when it is older than any transaction that could still
 * commit its kiln.images record ({@link #MIN_AGE}), and when the safety job has no backlog on
 * kiln.images; the caller checks the second (a staged image waiting in a long backlog is pending
 * work, however old).
 */
public final class StagingSweep {
    /**
     * The youngest an object may be to count as an orphan: the jobs' Kafka transaction timeout
     * (15 minutes) plus a checkpoint interval's margin. A younger object may belong to a
     * transaction that is still open, or to a render being replayed after a restore.
     */
    public static final Duration MIN_AGE = Duration.ofMinutes(16);

    /** A staging object and when it was last written. */
    public record Orphan(String key, Instant lastModified, long size) {}

    private final S3Client s3;
    private final String bucket;

    public StagingSweep(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /**
     * Every object under {@code staging/} last written before {@code now - olderThan}, listed page
     * by page.
     *
     * @throws IllegalArgumentException if {@code olderThan} is below {@link #MIN_AGE}
     */
    public List<Orphan> find(Duration olderThan, Instant now) {
        if (olderThan.compareTo(MIN_AGE) < 0) {
            throw new IllegalArgumentException("--older-than " + olderThan + " is too young: a staging object younger"
                    + " than " + MIN_AGE + " (the jobs' Kafka transaction timeout and a checkpoint) may still be"
                    + " published; use " + MIN_AGE + " or more");
        }
        Instant cutoff = now.minus(olderThan);
        List<Orphan> orphans = new ArrayList<>();
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket)
                .prefix(ObjectKeys.Area.STAGING.prefix() + "/").build();
        for (S3Object o : s3.listObjectsV2Paginator(request).contents()) {
            if (o.lastModified().isBefore(cutoff)) {
                orphans.add(new Orphan(o.key(), o.lastModified(), o.size()));
            }
        }
        return orphans;
    }

    /** Deletes {@code orphans}, one DELETE each (deleting a missing key is not an error). */
    public void delete(List<Orphan> orphans) {
        for (Orphan o : orphans) {
            s3.deleteObject(b -> b.bucket(bucket).key(o.key()));
        }
    }
}
