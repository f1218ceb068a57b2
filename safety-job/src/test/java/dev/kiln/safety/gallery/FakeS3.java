package dev.kiln.safety.gallery;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/** In-memory single-bucket S3 with just the calls the gallery and the publisher make: put, get and delete. */
public final class FakeS3 implements S3Client {
  /** An object's bytes and content type. */
  public record Stored(byte[] bytes, String contentType) {}

  /** Every object, by key. */
  public final Map<String, Stored> objects = new TreeMap<>();
  final List<String> puts = new ArrayList<>();
  boolean closed;

  @Override
  public String serviceName() {
    return "s3";
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
    try (InputStream in = body.contentStreamProvider().newStream()) {
      objects.put(request.key(), new Stored(in.readAllBytes(), request.contentType()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    puts.add(request.key());
    return PutObjectResponse.builder().eTag("\"fake\"").build();
  }

  @Override
  public ResponseBytes<GetObjectResponse> getObjectAsBytes(GetObjectRequest request) {
    Stored stored = objects.get(request.key());
    if (stored == null) {
      throw NoSuchKeyException.builder().statusCode(404).message("no key " + request.key()).build();
    }
    return ResponseBytes.fromByteArray(GetObjectResponse.builder().build(), stored.bytes());
  }

  @Override
  public DeleteObjectResponse deleteObject(DeleteObjectRequest request) {
    // S3 answers a delete of a missing key with success too.
    objects.remove(request.key());
    return DeleteObjectResponse.builder().build();
  }

  /** Stores {@code bytes} as an image/png object. */
  public void put(String key, byte[] bytes) {
    objects.put(key, new Stored(bytes, "image/png"));
  }

  long putsOf(String key) {
    return puts.stream().filter(key::equals).count();
  }
}
