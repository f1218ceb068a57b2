package dev.kiln.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.CreateBucketResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** In-memory single-bucket {@link S3Client} for unit tests; lists in pages of two keys. */
final class FakeS3Client implements S3Client {

    static final int PAGE_SIZE = 2;

    record Stored(byte[] bytes, String contentType, Map<String, String> metadata) {}

    final Map<String, Stored> objects = new TreeMap<>();
    final List<PutObjectRequest> puts = new ArrayList<>();
    final List<CreateBucketRequest> bucketCreations = new ArrayList<>();
    int listCalls;
    boolean bucketExists = true;
    S3Exception nextGetFailure;
    Region region = Region.US_EAST_1;

    @Override
    public String serviceName() {
        return "s3";
    }

    @Override
    public void close() {}

    @Override
    public S3ServiceClientConfiguration serviceClientConfiguration() {
        return S3ServiceClientConfiguration.builder().region(region).build();
    }

    @Override
    public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
        byte[] bytes;
        try (InputStream in = body.contentStreamProvider().newStream()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        puts.add(request);
        objects.put(request.key(), new Stored(bytes, request.contentType(), request.metadata()));
        return PutObjectResponse.builder().eTag("\"" + HexFormat.of().formatHex(md5(bytes)) + "\"").build();
    }

    @Override
    public ResponseBytes<GetObjectResponse> getObjectAsBytes(GetObjectRequest request) {
        if (nextGetFailure != null) {
            S3Exception failure = nextGetFailure;
            nextGetFailure = null;
            throw failure;
        }
        Stored stored = require(request.key());
        return ResponseBytes.fromByteArray(
                GetObjectResponse.builder().contentLength((long) stored.bytes.length).build(), stored.bytes);
    }

    @Override
    public HeadObjectResponse headObject(HeadObjectRequest request) {
        Stored stored = require(request.key());
        return HeadObjectResponse.builder().contentLength((long) stored.bytes.length).build();
    }

    @Override
    public CopyObjectResponse copyObject(CopyObjectRequest request) {
        objects.put(request.destinationKey(), require(request.sourceKey()));
        return CopyObjectResponse.builder().build();
    }

    @Override
    public DeleteObjectResponse deleteObject(DeleteObjectRequest request) {
        objects.remove(request.key());
        return DeleteObjectResponse.builder().build();
    }

    @Override
    public ListObjectsV2Response listObjectsV2(ListObjectsV2Request request) {
        listCalls++;
        String after = request.continuationToken();
        List<S3Object> page = new ArrayList<>();
        boolean truncated = false;
        for (String key : objects.keySet()) {
            if (!key.startsWith(request.prefix()) || after != null && key.compareTo(after) <= 0) {
                continue;
            }
            if (page.size() == PAGE_SIZE) {
                truncated = true;
                break;
            }
            page.add(S3Object.builder().key(key).build());
        }
        return ListObjectsV2Response.builder()
                .contents(page)
                .isTruncated(truncated)
                .nextContinuationToken(truncated ? page.get(page.size() - 1).key() : null)
                .build();
    }

    @Override
    public HeadBucketResponse headBucket(HeadBucketRequest request) {
        if (!bucketExists) {
            throw NoSuchBucketException.builder().statusCode(404).message("no bucket " + request.bucket()).build();
        }
        return HeadBucketResponse.builder().build();
    }

    @Override
    public CreateBucketResponse createBucket(CreateBucketRequest request) {
        bucketCreations.add(request);
        bucketExists = true;
        return CreateBucketResponse.builder().build();
    }

    private Stored require(String key) {
        Stored stored = objects.get(key);
        if (stored == null) {
            throw NoSuchKeyException.builder().statusCode(404).message("no key " + key).build();
        }
        return stored;
    }

    static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
