package dev.kiln.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class S3SettingsTest {

    @Test
    void appliesExplicitDefaults() {
        S3Settings s = S3Settings.builder().setBucket("kiln").build();

        assertThat(s.bucket()).isEqualTo("kiln");
        assertThat(s.endpoint()).isEmpty();
        assertThat(s.region()).isEqualTo("us-east-1");
        assertThat(s.pathStyle()).isFalse();
        assertThat(s.accessKey()).isEmpty();
        assertThat(s.secretKey()).isEmpty();
        assertThat(s.apiCallTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.apiCallAttemptTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.maxRetries()).isEqualTo(3);
    }

    @Test
    void defaultsToPathStyleWhenAnEndpointIsSet() {
        S3Settings s = S3Settings.builder().setBucket("kiln").optEndpoint(URI.create("http://127.0.0.1:9000")).build();

        assertThat(s.pathStyle()).isTrue();
        assertThat(s.endpoint()).contains(URI.create("http://127.0.0.1:9000"));
    }

    @Test
    void explicitPathStyleWinsOverTheEndpointDefault() {
        S3Settings s = S3Settings.builder()
                .setBucket("kiln")
                .optEndpoint(URI.create("https://s3.example.com"))
                .optPathStyle(false)
                .build();

        assertThat(s.pathStyle()).isFalse();
    }

    @Test
    void buildWithoutBucketSaysToCallSetBucket() {
        assertThatThrownBy(() -> S3Settings.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("setBucket(")
                .hasMessageContaining("kiln.s3.bucket");
    }

    @Test
    void rejectsBucketNameS3WouldRefuse() {
        assertThatThrownBy(() -> S3Settings.builder().setBucket("My_Bucket").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'My_Bucket'")
                .hasMessageContaining("lower-case letters, digits, dots or hyphens");
    }

    @Test
    void rejectsEndpointWithoutScheme() {
        assertThatThrownBy(() -> S3Settings.builder().setBucket("kiln").optEndpoint(URI.create("localhost:9000")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'localhost:9000'")
                .hasMessageContaining("e.g. http://127.0.0.1:9000");
    }

    @Test
    void rejectsEndpointWithBucketInThePath() {
        assertThatThrownBy(() -> S3Settings.builder()
                        .setBucket("kiln")
                        .optEndpoint(URI.create("http://127.0.0.1:9000/kiln"))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has a path")
                .hasMessageContaining("setBucket");
    }

    @Test
    void rejectsAccessKeyWithoutSecret() {
        assertThatThrownBy(() -> S3Settings.builder().setBucket("kiln").optCredentials("AKIA", "").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got only the access key")
                .hasMessageContaining("default credential chain");
    }

    @Test
    void rejectsAttemptTimeoutLongerThanCallTimeout() {
        assertThatThrownBy(() -> S3Settings.builder()
                        .setBucket("kiln")
                        .optApiCallTimeout(Duration.ofSeconds(5))
                        .optApiCallAttemptTimeout(Duration.ofSeconds(10))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raise optApiCallTimeout or lower optApiCallAttemptTimeout");
    }

    @Test
    void rejectsNonPositiveTimeoutNamingTheSetter() {
        assertThatThrownBy(() -> S3Settings.builder().setBucket("kiln").optConnectionTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("optConnectionTimeout");
    }

    @Test
    void rejectsNegativeRetries() {
        assertThatThrownBy(() -> S3Settings.builder().setBucket("kiln").optMaxRetries(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRetries is -1")
                .hasMessageContaining("optMaxRetries");
    }

    @Test
    void toStringNeverShowsTheSecretKey() {
        S3Settings s = S3Settings.builder().setBucket("kiln").optCredentials("local-key", "top-secret").build();

        assertThat(s.toString()).contains("local-key").doesNotContain("top-secret");
    }

    @Test
    void toBuilderRoundTrips() {
        S3Settings s = S3Settings.builder()
                .setBucket("kiln")
                .optEndpoint(URI.create("http://127.0.0.1:9000"))
                .optCredentials("a", "b")
                .optMaxRetries(0)
                .build();

        assertThat(s.toBuilder().build()).isEqualTo(s);
        assertThat(s.toBuilder().setBucket("other").build().bucket()).isEqualTo("other");
    }

    @Test
    void survivesJavaSerializationForFlinkFunctions() throws Exception {
        S3Settings s = S3Settings.builder()
                .setBucket("kiln")
                .optEndpoint(URI.create("http://127.0.0.1:9000"))
                .optCredentials("a", "b")
                .build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(s);
        }
    }
}
