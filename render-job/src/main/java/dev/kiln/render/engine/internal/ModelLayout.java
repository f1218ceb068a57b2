package dev.kiln.render.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.render.engine.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The diffusers ONNX directory layout: which files must exist, what the ONNX graphs must declare,
 * the small config values the engine needs, and the model digest.
 */
public final class ModelLayout {
  public static final String TOKENIZER = "tokenizer";
  public static final String TEXT_ENCODER = "text_encoder/model.onnx";
  public static final String UNET = "unet/model.onnx";
  public static final String VAE_DECODER = "vae_decoder/model.onnx";
  public static final String SCHEDULER_CONFIG = "scheduler/scheduler_config.json";
  public static final List<String> REQUIRED_FILES = List.of("model_index.json", "tokenizer/vocab.json",
      "tokenizer/merges.txt", TEXT_ENCODER, UNET, VAE_DECODER, SCHEDULER_CONFIG);
  /** The directories whose files make up the model, and so its digest. */
  public static final List<String> COMPONENTS = List.of("tokenizer", "text_encoder", "unet", "vae_decoder",
      "scheduler");
  /** SD's VAE scaling factor, used when vae_decoder/config.json does not give one. */
  public static final float DEFAULT_SCALING_FACTOR = 0.18215f;

  private static final String EXPECTED = "expected the diffusers ONNX layout (model_index.json, tokenizer/, "
      + "text_encoder/, unet/, vae_decoder/, scheduler/)";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;

  private ModelLayout(Path dir) {
    this.dir = dir;
  }

  /**
   * Checks that {@code dir} holds every required file.
   *
   * @throws ModelLoadException naming every missing file and the expected layout
   */
  public static ModelLayout check(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ModelLoadException("model directory " + dir + " does not exist or is not a directory: " + EXPECTED);
    }
    List<String> missing = REQUIRED_FILES.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
    if (!missing.isEmpty()) {
      throw new ModelLoadException(String.join(", ", missing) + (missing.size() == 1 ? " is" : " are")
          + " missing in " + dir + ": " + EXPECTED);
    }
    return new ModelLayout(dir);
  }

  public Path dir() {
    return dir;
  }

  public Path resolve(String relative) {
    return dir.resolve(relative);
  }

  /** Reads an ONNX file's signature, failing with the file's name when it is not a readable model. */
  public OnnxGraphInfo graph(String relative) {
    try {
      return OnnxGraphInfo.read(dir.resolve(relative));
    } catch (IOException e) {
      throw new ModelLoadException(relative + " in " + dir + " cannot be read as an ONNX model: " + e.getMessage(), e);
    }
  }

  /**
   * Checks that the graph's inputs are exactly {@code inputs} and its outputs include
   * {@code output}.
   */
  public static void requireSignature(String file, OnnxGraphInfo graph, List<String> inputs, String output) {
    if (!Set.copyOf(graph.inputNames()).equals(Set.copyOf(inputs)) || graph.inputNames().size() != inputs.size()) {
      throw new ModelLoadException(file + " has inputs " + graph.inputNames() + "; expected "
          + String.join(", ", inputs));
    }
    if (graph.output(output) == null) {
      throw new ModelLoadException(file + " has outputs " + graph.outputNames() + "; expected " + output);
    }
  }

  /**
   * Checks a declared tensor's element type and rank.
   *
   * @param shape the expected shape as the message shows it, e.g. {@code "[batch, 77]"}
   * @param ranks allowed ranks (a scalar has rank 0)
   * @param allowed allowed ONNX element types
   * @throws ModelLoadException naming the file, the tensor, what it declares and what was expected
   */
  public static void requireTensor(String file, OnnxGraphInfo.TensorSpec spec, String shape, int[] ranks,
      int... allowed) {
    boolean typeOk = false;
    List<String> names = new ArrayList<>();
    for (int type : allowed) {
      typeOk |= spec.elementType() == type;
      names.add(new OnnxGraphInfo.TensorSpec("", type, new long[0]).typeName());
    }
    boolean rankOk = false;
    for (int rank : ranks) {
      rankOk |= spec.dims().length == rank;
    }
    if (!typeOk || !rankOk) {
      throw new ModelLoadException(file + " declares " + spec.name() + " as " + spec.typeName()
          + java.util.Arrays.toString(spec.dims()) + "; expected " + String.join(" or ", names) + " " + shape);
    }
  }

  /** {@code scaling_factor} from vae_decoder/config.json, or {@link #DEFAULT_SCALING_FACTOR}. */
  public float scalingFactor() {
    JsonNode config = optionalJson("vae_decoder/config.json");
    JsonNode value = config == null ? null : config.get("scaling_factor");
    if (value == null || value.isNull()) {
      return DEFAULT_SCALING_FACTOR;
    }
    if (!value.isNumber() || value.asDouble() <= 0) {
      throw new ModelLoadException("vae_decoder/config.json in " + dir + " has scaling_factor " + value
          + "; expected a positive number");
    }
    return (float) value.asDouble();
  }

  /**
   * How many times the UNet halves the latents ({@code 2^(len(block_out_channels) - 1)} from
   * unet/config.json), or 1 when unknown. Latent sides must be multiples of it, since each
   * downsampled feature map is concatenated with its upsampled counterpart.
   */
  public int unetDownscale() {
    JsonNode config = optionalJson("unet/config.json");
    JsonNode blocks = config == null ? null : config.get("block_out_channels");
    return blocks != null && blocks.isArray() && blocks.size() > 0 ? 1 << (blocks.size() - 1) : 1;
  }

  private JsonNode optionalJson(String relative) {
    Path file = dir.resolve(relative);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ModelLoadException(relative + " in " + dir + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * SHA-256 over the model's files: every regular, non-hidden file under model_index.json and the
   * component directories (tokenizer, text_encoder, unet, vae_decoder, scheduler), in sorted order
   * of their '/'-separated relative paths; each contributes its path, a 0 byte, its 8-byte
   * big-endian length and its bytes. Other files in the directory (training scripts, logs) do not
   * count, so they can change without changing the model's identity.
   */
  public String digest() {
    try {
      List<String> files = new ArrayList<>();
      files.add("model_index.json");
      for (String component : COMPONENTS) {
        Path root = dir.resolve(component);
        if (!Files.isDirectory(root)) {
          continue;
        }
        try (Stream<Path> walk = Files.walk(root)) {
          files.addAll(walk.filter(Files::isRegularFile)
              .map(p -> dir.relativize(p).toString().replace('\\', '/'))
              .filter(p -> Stream.of(p.split("/")).noneMatch(part -> part.startsWith(".")))
              .collect(Collectors.toList()));
        }
      }
      files.sort(null);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (String file : files) {
        Path path = dir.resolve(file);
        sha.update(file.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sha.update((byte) 0);
        long size = Files.size(path);
        for (int shift = 56; shift >= 0; shift -= 8) {
          sha.update((byte) (size >>> shift));
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(path), sha)) {
          while (in.read(buffer) >= 0) {
            // DigestInputStream feeds the digest as it reads
          }
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new ModelLoadException("cannot read the model files in " + dir + " to compute its digest: "
          + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
