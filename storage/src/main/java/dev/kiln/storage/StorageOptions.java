package dev.kiln.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

/** Flink configuration options for Kiln's object storage, and their translation to {@link S3Settings}. */
public final class StorageOptions {

    public static final ConfigOption<String> ENDPOINT = ConfigOptions.key("kiln.s3.endpoint")
            .stringType()
            .noDefaultValue()
            .withDescription("Endpoint of an S3-compatible server, e.g. http://127.0.0.1:9000."
                    + " Unset means AWS S3 in kiln.s3.region.");

    public static final ConfigOption<String> BUCKET = ConfigOptions.key("kiln.s3.bucket")
            .stringType()
            .noDefaultValue()
            .withDescription("Bucket that holds the staging/, assets/ and quarantine/ prefixes. Required.");

    public static final ConfigOption<String> REGION = ConfigOptions.key("kiln.s3.region")
            .stringType()
            .defaultValue(S3Settings.DEFAULT_REGION)
            .withDescription("Signing region. S3-compatible servers usually accept any value.");

    public static final ConfigOption<Boolean> PATH_STYLE = ConfigOptions.key("kiln.s3.path-style")
            .booleanType()
            .noDefaultValue()
            .withDescription("Use path-style requests (endpoint/bucket/key). Unset means true when"
                    + " kiln.s3.endpoint is set, false for AWS.");

    public static final ConfigOption<String> ACCESS_KEY = ConfigOptions.key("kiln.s3.access-key")
            .stringType()
            .noDefaultValue()
            .withDescription("Static access key; set together with kiln.s3.secret-key. Unset means the"
                    + " AWS default credential chain (environment, profile, instance or pod role).");

    public static final ConfigOption<String> SECRET_KEY = ConfigOptions.key("kiln.s3.secret-key")
            .stringType()
            .noDefaultValue()
            .withDescription("Secret key belonging to kiln.s3.access-key.");

    public static final ConfigOption<Duration> API_CALL_TIMEOUT = ConfigOptions.key("kiln.s3.api-call-timeout")
            .durationType()
            .defaultValue(S3Settings.DEFAULT_API_CALL_TIMEOUT)
            .withDescription("Deadline for one S3 call, all retries included.");

    public static final ConfigOption<Duration> API_CALL_ATTEMPT_TIMEOUT =
            ConfigOptions.key("kiln.s3.api-call-attempt-timeout")
                    .durationType()
                    .defaultValue(S3Settings.DEFAULT_API_CALL_ATTEMPT_TIMEOUT)
                    .withDescription("Deadline for a single HTTP attempt of an S3 call; also the socket"
                            + " read timeout. Must not exceed kiln.s3.api-call-timeout.");

    public static final ConfigOption<Duration> CONNECTION_TIMEOUT = ConfigOptions.key("kiln.s3.connection-timeout")
            .durationType()
            .defaultValue(S3Settings.DEFAULT_CONNECTION_TIMEOUT)
            .withDescription("Deadline for opening a connection to the S3 endpoint.");

    public static final ConfigOption<Integer> MAX_RETRIES = ConfigOptions.key("kiln.s3.max-retries")
            .intType()
            .defaultValue(S3Settings.DEFAULT_MAX_RETRIES)
            .withDescription("Retries after the first attempt of an S3 call (standard retry strategy with"
                    + " exponential backoff). 0 disables retries.");

    private StorageOptions() {}

    /**
     * Reads {@link S3Settings} from a Flink configuration.
     *
     * @throws IllegalArgumentException naming the option to fix when the settings are missing or invalid
     */
    public static S3Settings fromConfiguration(ReadableConfig config) {
        String bucket = config.getOptional(BUCKET).orElseThrow(() -> new IllegalArgumentException(
                "Option " + BUCKET.key() + " is not set: set it to the bucket Kiln writes images to,"
                        + " e.g. " + BUCKET.key() + ": kiln"));
        Optional<String> accessKey = config.getOptional(ACCESS_KEY);
        Optional<String> secretKey = config.getOptional(SECRET_KEY);
        if (accessKey.isPresent() != secretKey.isPresent()) {
            String missing = accessKey.isPresent() ? SECRET_KEY.key() : ACCESS_KEY.key();
            throw new IllegalArgumentException("Option " + missing + " is not set: set both "
                    + ACCESS_KEY.key() + " and " + SECRET_KEY.key() + ", or neither to use the AWS default"
                    + " credential chain");
        }
        S3Settings.Builder builder = S3Settings.builder()
                .setBucket(bucket)
                .optRegion(config.get(REGION))
                .optApiCallTimeout(config.get(API_CALL_TIMEOUT))
                .optApiCallAttemptTimeout(config.get(API_CALL_ATTEMPT_TIMEOUT))
                .optConnectionTimeout(config.get(CONNECTION_TIMEOUT))
                .optMaxRetries(config.get(MAX_RETRIES));
        config.getOptional(ENDPOINT).ifPresent(e -> builder.optEndpoint(parseEndpoint(e)));
        config.getOptional(PATH_STYLE).ifPresent(builder::optPathStyle);
        accessKey.ifPresent(a -> builder.optCredentials(a, secretKey.get()));
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid kiln.s3.* configuration: " + e.getMessage(), e);
        }
    }

    private static URI parseEndpoint(String value) {
        try {
            return new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Option " + ENDPOINT.key() + " is not a URI ('" + value
                    + "'): use e.g. http://127.0.0.1:9000", e);
        }
    }
}
