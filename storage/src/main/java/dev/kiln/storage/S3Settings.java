package dev.kiln.storage;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Immutable connection settings for one bucket on AWS S3 or any S3-compatible server.
 *
 * <p>Build with {@link #builder()}: {@code setBucket} is required, everything else is optional and
 * has an explicit default (see the {@code DEFAULT_*} constants). {@link Builder#build()} rejects
 * inconsistent settings with a message that says how to fix them. {@link StorageOptions} reads
 * the same settings from a Flink configuration. Serializable, so Flink functions can carry it to
 * the task managers and create their {@code S3Client} in {@code open()}.
 */
public final class S3Settings implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_REGION = "us-east-1";
    public static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_API_CALL_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_RETRIES = 3;
    /** Upper bound for {@link Builder#optMaxRetries}: more retries only hide an outage. */
    public static final int MAX_RETRIES_LIMIT = 20;

    // S3 bucket naming rules, minus the legacy upper-case names that only us-east-1 still serves.
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private final String bucket;
    private final URI endpoint;
    private final String region;
    private final boolean pathStyle;
    private final String accessKey;
    private final String secretKey;
    private final Duration apiCallTimeout;
    private final Duration apiCallAttemptTimeout;
    private final Duration connectionTimeout;
    private final int maxRetries;

    private S3Settings(Builder b, boolean pathStyle, String accessKey, String secretKey) {
        this.bucket = b.bucket;
        this.endpoint = b.endpoint;
        this.region = b.region;
        this.pathStyle = pathStyle;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.apiCallTimeout = b.apiCallTimeout;
        this.apiCallAttemptTimeout = b.apiCallAttemptTimeout;
        this.connectionTimeout = b.connectionTimeout;
        this.maxRetries = b.maxRetries;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with these settings, to derive a variant (e.g. another bucket). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.bucket = bucket;
        b.endpoint = endpoint;
        b.region = region;
        b.pathStyle = pathStyle;
        b.accessKey = accessKey;
        b.secretKey = secretKey;
        b.apiCallTimeout = apiCallTimeout;
        b.apiCallAttemptTimeout = apiCallAttemptTimeout;
        b.connectionTimeout = connectionTimeout;
        b.maxRetries = maxRetries;
        return b;
    }

    public String bucket() {
        return bucket;
    }

    /** The endpoint override; empty means the AWS endpoint for {@link #region()}. */
    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public String region() {
        return region;
    }

    /** Whether requests use {@code endpoint/bucket/key} instead of {@code bucket.endpoint/key}. */
    public boolean pathStyle() {
        return pathStyle;
    }

    /** Static credentials; empty means the AWS default credential chain. */
    public Optional<String> accessKey() {
        return Optional.ofNullable(accessKey);
    }

    /** The secret belonging to {@link #accessKey()}; present exactly when it is. */
    public Optional<String> secretKey() {
        return Optional.ofNullable(secretKey);
    }

    /** Deadline for one API call, all retries included. */
    public Duration apiCallTimeout() {
        return apiCallTimeout;
    }

    /** Deadline for a single HTTP attempt; also the socket read timeout. */
    public Duration apiCallAttemptTimeout() {
        return apiCallAttemptTimeout;
    }

    /** Deadline for opening a TCP connection. */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /** Retries after the first attempt; the client makes at most {@code maxRetries + 1} attempts. */
    public int maxRetries() {
        return maxRetries;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof S3Settings)) {
            return false;
        }
        S3Settings that = (S3Settings) o;
        return pathStyle == that.pathStyle
                && maxRetries == that.maxRetries
                && bucket.equals(that.bucket)
                && Objects.equals(endpoint, that.endpoint)
                && region.equals(that.region)
                && Objects.equals(accessKey, that.accessKey)
                && Objects.equals(secretKey, that.secretKey)
                && apiCallTimeout.equals(that.apiCallTimeout)
                && apiCallAttemptTimeout.equals(that.apiCallAttemptTimeout)
                && connectionTimeout.equals(that.connectionTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bucket, endpoint, region, pathStyle, accessKey, secretKey,
                apiCallTimeout, apiCallAttemptTimeout, connectionTimeout, maxRetries);
    }

    /** Never includes the secret key. */
    @Override
    public String toString() {
        return "S3Settings{bucket=" + bucket
                + ", endpoint=" + (endpoint == null ? "<aws>" : endpoint)
                + ", region=" + region
                + ", pathStyle=" + pathStyle
                + ", credentials=" + (accessKey == null ? "<default chain>" : accessKey + ":****")
                + ", apiCallTimeout=" + apiCallTimeout
                + ", apiCallAttemptTimeout=" + apiCallAttemptTimeout
                + ", connectionTimeout=" + connectionTimeout
                + ", maxRetries=" + maxRetries
                + '}';
    }

    /** Mutable builder; {@code set*} is required, {@code opt*} optional. Not thread-safe. */
    public static final class Builder {
        private String bucket;
        private URI endpoint;
        private String region = DEFAULT_REGION;
        private Boolean pathStyle;
        private String accessKey;
        private String secretKey;
        private Duration apiCallTimeout = DEFAULT_API_CALL_TIMEOUT;
        private Duration apiCallAttemptTimeout = DEFAULT_API_CALL_ATTEMPT_TIMEOUT;
        private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;

        private Builder() {}

        /** Required: the bucket every key lives in. */
        public Builder setBucket(String bucket) {
            this.bucket = bucket;
            return this;
        }

        /** Endpoint of an S3-compatible server, e.g. {@code http://127.0.0.1:9000}. Default: AWS. */
        public Builder optEndpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** Signing region; default {@value #DEFAULT_REGION}. S3-compatible servers usually accept any. */
        public Builder optRegion(String region) {
            this.region = region;
            return this;
        }

        /** Path-style addressing; default {@code true} when an endpoint is set, else {@code false}. */
        public Builder optPathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        /** Static credentials; without them the AWS default credential chain is used. */
        public Builder optCredentials(String accessKey, String secretKey) {
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            return this;
        }

        /** Deadline for one API call including retries; default 30 s. */
        public Builder optApiCallTimeout(Duration timeout) {
            this.apiCallTimeout = timeout;
            return this;
        }

        /** Deadline for one HTTP attempt; default 10 s. */
        public Builder optApiCallAttemptTimeout(Duration timeout) {
            this.apiCallAttemptTimeout = timeout;
            return this;
        }

        /** Deadline for opening a connection; default 5 s. */
        public Builder optConnectionTimeout(Duration timeout) {
            this.connectionTimeout = timeout;
            return this;
        }

        /** Retries after the first attempt (standard retry strategy with backoff); default 3. */
        public Builder optMaxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * Checks the settings and builds them.
         *
         * @throws IllegalArgumentException naming the bad setting and how to fix it
         */
        public S3Settings build() {
            if (bucket == null || bucket.isBlank()) {
                throw new IllegalArgumentException(
                        "No bucket set: call setBucket(\"my-bucket\") (Flink option kiln.s3.bucket)");
            }
            if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
                throw new IllegalArgumentException("Bucket '" + bucket + "' is not a valid S3 bucket name: use"
                        + " 3-63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit");
            }
            if (endpoint != null) {
                String scheme = endpoint.getScheme();
                if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)
                        || endpoint.getHost() == null) {
                    throw new IllegalArgumentException("Endpoint '" + endpoint + "' must be an absolute http(s) URI"
                            + " with a host, e.g. http://127.0.0.1:9000");
                }
                String path = endpoint.getPath();
                if (path != null && !path.isEmpty() && !"/".equals(path)) {
                    throw new IllegalArgumentException("Endpoint '" + endpoint + "' has a path; give only"
                            + " scheme, host and port (the bucket goes in setBucket), e.g. http://127.0.0.1:9000");
                }
            }
            if (region == null || region.isBlank()) {
                throw new IllegalArgumentException("Region is blank: leave optRegion unset for "
                        + DEFAULT_REGION + " or pass a region such as eu-west-1");
            }
            boolean hasAccess = accessKey != null && !accessKey.isBlank();
            boolean hasSecret = secretKey != null && !secretKey.isBlank();
            if (hasAccess != hasSecret) {
                throw new IllegalArgumentException("Credentials need both an access key and a secret key"
                        + " (got only the " + (hasAccess ? "access key" : "secret key") + "): pass both to"
                        + " optCredentials, or neither to use the AWS default credential chain");
            }
            requirePositive("apiCallTimeout", "optApiCallTimeout", apiCallTimeout);
            requirePositive("apiCallAttemptTimeout", "optApiCallAttemptTimeout", apiCallAttemptTimeout);
            requirePositive("connectionTimeout", "optConnectionTimeout", connectionTimeout);
            if (apiCallAttemptTimeout.compareTo(apiCallTimeout) > 0) {
                throw new IllegalArgumentException("apiCallAttemptTimeout (" + apiCallAttemptTimeout
                        + ") is longer than apiCallTimeout (" + apiCallTimeout + "), so no retry could ever"
                        + " run: raise optApiCallTimeout or lower optApiCallAttemptTimeout");
            }
            if (maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
                throw new IllegalArgumentException("maxRetries is " + maxRetries + ": pass 0 (no retries) to "
                        + MAX_RETRIES_LIMIT + " to optMaxRetries");
            }
            return new S3Settings(this, pathStyle != null ? pathStyle : endpoint != null,
                    hasAccess ? accessKey : null, hasAccess ? secretKey : null);
        }

        private static void requirePositive(String name, String setter, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " is " + value + ": pass a positive duration to "
                        + setter + ", e.g. Duration.ofSeconds(10)");
            }
        }
    }
}
