package dev.kiln.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.kiln.storage.ObjectKeys;
import dev.kiln.storage.ObjectStore;
import dev.kiln.storage.S3Clients;
import dev.kiln.storage.S3Settings;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server (S3Proxy) in this JVM, storing objects as plain files.
 *
 * <p>Object {@code key} of bucket {@code bucket} is the file {@code <dataDirectory>/<bucket>/<key>}
 * (the slashes in a key become directories), so rendered PNGs can be opened straight from disk;
 * see {@link #pathOf}. Content type, MD5 and user metadata are kept in the file's extended
 * attributes. Requests must be signed (AWS V2 or V4) with {@link #accessKey()}/{@link #secretKey()}.
 */
public final class EmbeddedS3 implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);

    public static final String DEFAULT_ACCESS_KEY = "kiln-local";
    public static final String DEFAULT_SECRET_KEY = "kiln-local-secret";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final S3Proxy proxy;
    private final Path dataDirectory;
    private final URI endpoint;
    private final String accessKey;
    private final String secretKey;
    private boolean closed;

    private EmbeddedS3(S3Proxy proxy, Path dataDirectory, URI endpoint, String accessKey, String secretKey) {
        this.proxy = proxy;
        this.dataDirectory = dataDirectory;
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Starts a server storing under {@code dataDirectory} on a free loopback port with the default keys. */
    public static EmbeddedS3 start(Path dataDirectory) {
        return builder().setDataDirectory(dataDirectory).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:port}, for {@link S3Settings.Builder#optEndpoint}. */
    public URI endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The root under which each bucket is a directory. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * The file that holds {@code key} of {@code bucket}: {@code <dataDirectory>/<bucket>/<key>}.
     *
     * @throws IllegalArgumentException if the key would resolve outside the bucket's directory
     */
    public Path pathOf(String bucket, String key) {
        Path bucketDir = dataDirectory.resolve(bucket).normalize();
        Path file = bucketDir.resolve(key).normalize();
        if (!bucketDir.startsWith(dataDirectory) || !file.startsWith(bucketDir) || file.equals(bucketDir)) {
            throw new IllegalArgumentException("Key '" + key + "' of bucket '" + bucket + "' does not name a file"
                    + " inside " + bucketDir + "; build keys with " + ObjectKeys.class.getSimpleName());
        }
        return file;
    }

    /** Path-style settings for {@code bucket} on this server, signed with its keys. */
    public S3Settings settings(String bucket) {
        return S3Settings.builder()
                .setBucket(bucket)
                .optEndpoint(endpoint)
                .optPathStyle(true)
                .optCredentials(accessKey, secretKey)
                .build();
    }

    /**
     * Creates {@code bucket} through the S3 API unless it exists.
     *
     * @return whether it was created
     */
    public boolean createBucket(String bucket) {
        try (S3Client client = S3Clients.create(settings(bucket))) {
            return new ObjectStore(client, bucket).createBucketIfMissing();
        }
    }

    /** Stops the server; the files stay. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long startNanos = System.nanoTime();
        ThirdParty.run("Stopping S3Proxy at " + endpoint, proxy::stop);
        LOG.info("S3 server at {} stopped in {} ms", endpoint, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    /** Builder; {@code setDataDirectory} is required. */
    public static final class Builder {
        private Path dataDirectory;
        private int port;
        private String accessKey = DEFAULT_ACCESS_KEY;
        private String secretKey = DEFAULT_SECRET_KEY;

        private Builder() {}

        /** Required: the root directory for buckets. Created if missing. */
        public Builder setDataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /** Port on 127.0.0.1; 0 (the default) lets the server pick a free one. */
        public Builder optPort(int port) {
            this.port = port;
            return this;
        }

        /** The keys clients must sign with; default {@link #DEFAULT_ACCESS_KEY}/{@link #DEFAULT_SECRET_KEY}. */
        public Builder optCredentials(String accessKey, String secretKey) {
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            return this;
        }

        /**
         * Starts the server and returns once it accepts requests.
         *
         * @throws IllegalArgumentException if the settings are unusable, saying how to fix them
         */
        public EmbeddedS3 start() {
            if (dataDirectory == null) {
                throw new IllegalArgumentException("No data directory: call setDataDirectory(path), e.g."
                        + " setDataDirectory(Path.of(\"target/s3\"))");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("optPort(" + port + ") is not a TCP port: pass 1-65535,"
                        + " or 0 to pick a free one");
            }
            if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
                throw new IllegalArgumentException("optCredentials needs a non-blank access key and secret key;"
                        + " leave it unset for " + DEFAULT_ACCESS_KEY + "/" + DEFAULT_SECRET_KEY);
            }
            Path dir = dataDirectory.toAbsolutePath().normalize();
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create the S3 data directory " + dir, e);
            }
            long startNanos = System.nanoTime();
            S3Proxy proxy = S3Proxy.builder()
                    .blobStore(new FilesystemNio2BlobStore(dir.toString()))
                    .endpoint(URI.create("http://" + Ports.LOOPBACK + ":" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                    // 0 skips Jetty's graceful stop, which otherwise waits ~2 s and then fails on the idle
                    // keep-alive connections the JDK HTTP client keeps open after an S3 client is closed.
                    .stopTimeout(0)
                    .build();
            ThirdParty.run("Starting S3Proxy on " + Ports.LOOPBACK + ":" + port, proxy::start);
            awaitStarted(proxy);
            URI endpoint = URI.create("http://" + Ports.LOOPBACK + ":" + proxy.getPort());
            LOG.info("S3 server (S3Proxy, filesystem store) started at {} in {} ms, objects under {}/<bucket>/<key>",
                    endpoint, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), dir);
            return new EmbeddedS3(proxy, dir, endpoint, accessKey, secretKey);
        }

        private static void awaitStarted(S3Proxy proxy) {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    ThirdParty.run("Stopping S3Proxy after a failed start", proxy::stop);
                    throw new IllegalStateException("S3Proxy did not start within " + START_TIMEOUT
                            + " (state " + proxy.getState() + ")");
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for S3Proxy to start", e);
                }
            }
        }
    }
}
