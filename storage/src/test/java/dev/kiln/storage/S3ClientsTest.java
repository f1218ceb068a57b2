package dev.kiln.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

class S3ClientsTest {

    @Test
    void appliesEndpointRegionTimeoutsAndRetryBudget() {
        S3Settings settings = S3Settings.builder()
                .setBucket("kiln")
                .optEndpoint(URI.create("http://127.0.0.1:9"))
                .optRegion("eu-central-1")
                .optCredentials("ak", "sk")
                .optApiCallTimeout(Duration.ofSeconds(12))
                .optApiCallAttemptTimeout(Duration.ofSeconds(4))
                .optMaxRetries(2)
                .build();

        try (S3Client client = S3Clients.create(settings)) {
            var config = client.serviceClientConfiguration();
            assertThat(config.region()).isEqualTo(Region.EU_CENTRAL_1);
            assertThat(config.endpointOverride()).contains(URI.create("http://127.0.0.1:9"));
            assertThat(config.overrideConfiguration().apiCallTimeout()).contains(Duration.ofSeconds(12));
            assertThat(config.overrideConfiguration().apiCallAttemptTimeout()).contains(Duration.ofSeconds(4));
            assertThat(config.overrideConfiguration().retryStrategy())
                    .hasValueSatisfying(r -> assertThat(r.maxAttempts()).isEqualTo(3));
        }
    }

    /** What one PUT looks like on the wire: the body whole, its SHA-256 signed, and Content-MD5. */
    @Test
    void putsSendTheBodyWholeNotAwsChunked() throws IOException {
        Map<String, String> headers = new ConcurrentHashMap<>();
        AtomicReference<byte[]> received = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            received.set(exchange.getRequestBody().readAllBytes());
            exchange.getResponseHeaders().add("ETag", "\"abc\"");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            S3Settings settings = S3Settings.builder()
                    .setBucket("kiln")
                    .optEndpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                    .optCredentials("ak", "sk")
                    .optMaxRetries(0)
                    .build();
            byte[] body = "a staged png, say".getBytes(StandardCharsets.UTF_8);
            try (S3Client client = S3Clients.create(settings)) {
                new ObjectStore(client, "kiln").putBytes("staging/t/b/i.png", body, "image/png", Map.of());
            }
            assertThat(received.get()).isEqualTo(body);
            assertThat(headers.get("x-amz-content-sha256")).isEqualTo(Checksums.sha256Hex(body));
            assertThat(headers).doesNotContainKey("x-amz-decoded-content-length");
            assertThat(headers.getOrDefault("content-encoding", "")).doesNotContain("aws-chunked");
            assertThat(headers).containsKey("content-md5");
        } finally {
            server.stop(0);
        }
    }
}
