package dev.kiln.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Byte-level access to one bucket through an injected {@link S3Client}.
 *
 * <p>The store does not own the client: whoever created the client closes it. Thread-safe
 * as far as the client is (AWS SDK clients are). Server errors other than the documented
 * "not found" cases propagate as the SDK's {@code S3Exception}/{@code SdkClientException}.
 */
public final class ObjectStore {

    private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);

    private final S3Client s3;
    private final String bucket;

    public ObjectStore(S3Client s3, String bucket) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("bucket is blank: pass the bucket name, e.g. S3Settings.bucket()");
        }
        this.bucket = bucket;
    }

    public String bucket() {
        return bucket;
    }

    /**
     * Writes {@code bytes} to {@code key}, replacing any object there, with a Content-MD5 the
     * server verifies.
     *
     * @param userMetadata {@code x-amz-meta-*} entries; S3 lower-cases the names
     * @return the object's ETag without surrounding quotes
     */
    public String putBytes(String key, byte[] bytes, String contentType, Map<String, String> userMetadata) {
        requireKey(key);
        Objects.requireNonNull(bytes, "bytes");
        PutObjectResponse response = s3.putObject(b -> b
                        .bucket(bucket)
                        .key(key)
                        .contentType(contentType)
                        .contentLength((long) bytes.length)
                        .contentMD5(md5Base64(bytes))
                        .metadata(userMetadata == null ? Map.of() : userMetadata),
                RequestBody.fromBytes(bytes));
        LOG.debug("Put s3://{}/{} ({} bytes)", bucket, key, bytes.length);
        return unquote(response.eTag());
    }

    /** The object's bytes, or empty if there is no object under {@code key}. */
    public Optional<byte[]> getBytes(String key) {
        requireKey(key);
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    /** Whether an object exists under {@code key} (a HEAD request; a 404 is {@code false}). */
    public boolean exists(String key) {
        requireKey(key);
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    /**
     * Server-side copy within the bucket, keeping content type and user metadata.
     *
     * @throws NoSuchKeyException if {@code fromKey} does not exist
     */
    public void copy(String fromKey, String toKey) {
        requireKey(fromKey);
        requireKey(toKey);
        s3.copyObject(b -> b
                .sourceBucket(bucket)
                .sourceKey(fromKey)
                .destinationBucket(bucket)
                .destinationKey(toKey));
        LOG.debug("Copied s3://{}/{} to {}", bucket, fromKey, toKey);
    }

    /** Deletes the object under {@code key}; deleting a missing key is not an error. */
    public void delete(String key) {
        requireKey(key);
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    /** All keys starting with {@code prefix}, in lexicographic order, following every page. */
    public List<String> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix (use \"\" for the whole bucket)");
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))
                .contents()
                .stream()
                .map(S3Object::key)
                .collect(Collectors.toList());
    }

    /**
     * Creates the bucket unless it exists. In regions other than us-east-1 the bucket is created
     * in the client's region.
     *
     * @return whether this call created it
     */
    public boolean createBucketIfMissing() {
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return false;
        } catch (NoSuchBucketException e) {
            LOG.debug("Bucket {} not found, creating it", bucket);
        }
        CreateBucketRequest.Builder request = CreateBucketRequest.builder().bucket(bucket);
        Region region = s3.serviceClientConfiguration().region();
        if (region != null && !Region.US_EAST_1.equals(region)) {
            request.createBucketConfiguration(c -> c.locationConstraint(BucketLocationConstraint.fromValue(region.id())));
        }
        try {
            s3.createBucket(request.build());
            LOG.info("Created bucket {}", bucket);
            return true;
        } catch (BucketAlreadyOwnedByYouException e) {
            // Created concurrently between our HEAD and CREATE: the goal is met.
            return false;
        }
    }

    private static void requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("key is empty: build keys with ObjectKeys");
        }
    }

    private static String unquote(String eTag) {
        if (eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")) {
            return eTag.substring(1, eTag.length() - 1);
        }
        return eTag;
    }

    private static String md5Base64(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM has no MD5 MessageDigest, which every Java SE JVM must provide", e);
        }
    }
}
