package dev.kiln.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class ObjectStoreTest {

    private final FakeS3Client s3 = new FakeS3Client();
    private final ObjectStore store = new ObjectStore(s3, "kiln");

    @Test
    void putSendsContentMd5AndMetadataAndReturnsUnquotedEtag() {
        byte[] png = "png-bytes".getBytes(StandardCharsets.UTF_8);

        String eTag = store.putBytes("staging/t/b/i.png", png, "image/png", Map.of("sha256", "abc"));

        assertThat(eTag).isEqualTo(HexFormat.of().formatHex(FakeS3Client.md5(png)));
        var put = s3.puts.get(0);
        assertThat(put.bucket()).isEqualTo("kiln");
        assertThat(put.contentType()).isEqualTo("image/png");
        assertThat(put.contentMD5()).isEqualTo(Base64.getEncoder().encodeToString(FakeS3Client.md5(png)));
        assertThat(put.metadata()).containsEntry("sha256", "abc");
    }

    @Test
    void getReturnsStoredBytes() {
        store.putBytes("k", new byte[] {1, 2, 3}, "application/octet-stream", Map.of());

        assertThat(store.getBytes("k")).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));
    }

    @Test
    void getOfMissingKeyIsEmpty() {
        assertThat(store.getBytes("missing")).isEmpty();
    }

    @Test
    void getPropagatesErrorsOtherThanMissingKey() {
        s3.nextGetFailure = (S3Exception) S3Exception.builder().statusCode(403).message("Access Denied").build();

        assertThatThrownBy(() -> store.getBytes("k")).isInstanceOf(S3Exception.class).hasMessageContaining("Access Denied");
    }

    @Test
    void existsIsFalseForMissingKeyAndTrueAfterPut() {
        assertThat(store.exists("k")).isFalse();
        store.putBytes("k", new byte[0], null, null);
        assertThat(store.exists("k")).isTrue();
    }

    @Test
    void copyDuplicatesAndDeleteRemoves() {
        store.putBytes("staging/t/b/i.png", new byte[] {9}, "image/png", Map.of());

        store.copy("staging/t/b/i.png", "assets/t/b/i.png");
        store.delete("staging/t/b/i.png");

        assertThat(store.exists("staging/t/b/i.png")).isFalse();
        assertThat(store.getBytes("assets/t/b/i.png")).hasValueSatisfying(b -> assertThat(b).containsExactly(9));
    }

    @Test
    void copyOfMissingSourceFails() {
        assertThatThrownBy(() -> store.copy("nope", "dest")).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void listFollowsEveryPageAndFiltersByPrefix() {
        for (int i = 0; i < 5; i++) {
            store.putBytes("assets/t/b/" + i + ".png", new byte[] {(byte) i}, "image/png", Map.of());
        }
        store.putBytes("staging/t/b/x.png", new byte[] {1}, "image/png", Map.of());

        assertThat(store.list("assets/t/b/"))
                .containsExactly("assets/t/b/0.png", "assets/t/b/1.png", "assets/t/b/2.png", "assets/t/b/3.png",
                        "assets/t/b/4.png");
        assertThat(s3.listCalls).isEqualTo(3);
    }

    @Test
    void createBucketIfMissingCreatesOnlyOnce() {
        s3.bucketExists = false;

        assertThat(store.createBucketIfMissing()).isTrue();
        assertThat(store.createBucketIfMissing()).isFalse();
        assertThat(s3.bucketCreations).hasSize(1);
        assertThat(s3.bucketCreations.get(0).createBucketConfiguration()).isNull();
    }

    @Test
    void createBucketOutsideUsEast1SetsLocationConstraint() {
        s3.bucketExists = false;
        s3.region = Region.EU_WEST_1;

        store.createBucketIfMissing();

        assertThat(s3.bucketCreations.get(0).createBucketConfiguration().locationConstraint())
                .isEqualTo(BucketLocationConstraint.EU_WEST_1);
    }

    @Test
    void rejectsEmptyKeyPointingToObjectKeys() {
        assertThatThrownBy(() -> store.getBytes(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ObjectKeys");
    }
}
