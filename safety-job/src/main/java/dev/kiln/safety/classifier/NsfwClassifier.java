package dev.kiln.safety.classifier;

import dev.kiln.wire.KilnOptions;
import ai.djl.MalformedModelException;
import ai.djl.engine.EngineException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.kiln.safety.classifier.internal.NsfwTranslator;
import dev.kiln.onnx.OnnxRuntimeStart;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nsfwjs 4.4.0's MobileNetV2 NSFW classifier, converted to ONNX and run by ONNX Runtime through
 * DJL. Gives the same probabilities as nsfwjs on the same pixels (within 1e-4; see
 * {@code models/nsfw-mobilenet-v2/README.md}).
 *
 * <p>Thread-safe: each {@link #classify} call creates and closes its own {@link Predictor} on the
 * shared model. {@link #close} releases the native model; call it once no classification is
 * running.
 */
public final class NsfwClassifier implements AutoCloseable {
  /** nsfwjs's classes, in the order of the model's outputs. */
  public static final List<String> CLASSES = List.of("Drawing", "Hentai", "Neutral", "Porn", "Sexy");
  /** The shipped model's path below the models directory. */
  public static final String MODEL_PATH = "nsfw-mobilenet-v2/model.onnx";

  private static final Logger LOG = LoggerFactory.getLogger(NsfwClassifier.class);
  private static final String ONNX_SUFFIX = ".onnx";

  private final Path file;
  private final String sha256;
  private final ZooModel<BufferedImage, Map<String, Double>> model;
  private volatile boolean closed;

  private NsfwClassifier(Path file, String sha256, ZooModel<BufferedImage, Map<String, Double>> model) {
    this.file = file;
    this.sha256 = sha256;
    this.model = model;
  }

  /**
   * The shipped model: {@code <kiln.models.dir>/nsfw-mobilenet-v2/model.onnx}, where the system
   * property {@code kiln.models.dir} defaults to {@code models} (relative to the working directory).
   */
  public static Path defaultModel() {
    return Path.of(System.getProperty(KilnOptions.MODELS_DIR.key(), KilnOptions.MODELS_DIR.defaultValue()))
        .resolve(MODEL_PATH);
  }

  /**
   * Loads the ONNX model and checks that it classifies a blank image into {@link #CLASSES}.
   *
   * @param onnxFile input {@code input} float32 NHWC {@code [N, 224, 224, 3]}, output
   *     {@code probabilities} float32 {@code [N, 5]}
   * @throws ClassifierLoadException naming the file, when it is missing, unreadable, not an ONNX
   *     model, has other inputs or outputs, or ONNX Runtime cannot start
   */
  public static NsfwClassifier load(Path onnxFile) {
    return load(onnxFile, 0);
  }

  /**
   * Like {@link #load(Path)}, with ONNX Runtime's intra-op thread count set.
   *
   * <p>With 1, each {@link #classify} runs on its calling thread alone, and callers on different
   * threads classify in parallel on the one shared model. On CPU that is the cheaper way to serve
   * several callers: MobileNetV2 at 224x224 is too small a graph for a second thread to pay
   * off (on 2 cores, 2 threads gave 1.12x the images/s of 1 thread for 1.8x the CPU).
   *
   * @param intraOpThreads threads per {@link #classify}; 0 for ONNX Runtime's default (one per
   *     physical core)
   * @throws IllegalArgumentException when {@code intraOpThreads} is negative
   */
  public static NsfwClassifier load(Path onnxFile, int intraOpThreads) {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be 0 (ONNX Runtime's default) or more, got "
          + intraOpThreads);
    }
    long start = System.nanoTime();
    Path file = onnxFile.toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new ClassifierLoadException("NSFW model " + file + " does not exist or is not a file; expected the ONNX "
          + "file from models/" + MODEL_PATH + " (see models/nsfw-mobilenet-v2/README.md)");
    }
    String digest = sha256(file);
    try {
      OnnxRuntimeStart.start();
    } catch (EngineException e) {
      throw new ClassifierLoadException("NSFW model " + file + " cannot be loaded: " + e.getMessage(), e);
    }
    ZooModel<BufferedImage, Map<String, Double>> model = loadModel(file, intraOpThreads);
    NsfwClassifier classifier = new NsfwClassifier(file, digest, model);
    try {
      classifier.selfCheck();
    } catch (ClassifierLoadException e) {
      classifier.close();
      throw e;
    }
    LOG.info("loaded NSFW classifier {} (sha256 {}, intra-op threads {}) in {} ms", file, digest,
        intraOpThreads == 0 ? "default" : intraOpThreads, (System.nanoTime() - start) / 1_000_000);
    return classifier;
  }

  /**
   * Classifies one image of any size, preprocessed as nsfwjs does (/255, align-corners bilinear
   * resize to 224x224). Alpha is ignored.
   *
   * @return class name to probability for every class in {@link #CLASSES}, in that order
   * @throws IllegalStateException when the classifier is closed
   * @throws ClassificationException when ONNX Runtime fails
   */
  public Map<String, Double> classify(BufferedImage image) {
    if (closed) {
      throw new IllegalStateException("NSFW classifier " + file + " is closed");
    }
    try (Predictor<BufferedImage, Map<String, Double>> predictor = model.newPredictor()) {
      return predictor.predict(image);
    } catch (TranslateException | EngineException e) {
      throw new ClassificationException("NSFW model " + file + " failed on a " + image.getWidth() + "x"
          + image.getHeight() + " image: " + e.getMessage(), e);
    }
  }

  /** {@link #CLASSES}: the keys of every {@link #classify} result, in order. */
  public List<String> classes() {
    return CLASSES;
  }

  /** Lower-case hex SHA-256 of the ONNX file, read once at load. */
  public String sha256() {
    return sha256;
  }

  /** The ONNX file this classifier loaded, absolute. */
  public Path modelFile() {
    return file;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      model.close();
    }
  }

  private static ZooModel<BufferedImage, Map<String, Double>> loadModel(Path file, int intraOpThreads) {
    String name = file.getFileName().toString();
    if (name.endsWith(ONNX_SUFFIX)) {
      name = name.substring(0, name.length() - ONNX_SUFFIX.length());
    }
    @SuppressWarnings("unchecked")
    Class<Map<String, Double>> output = (Class<Map<String, Double>>) (Class<?>) Map.class;
    Criteria.Builder<BufferedImage, Map<String, Double>> builder = Criteria.builder()
        .setTypes(BufferedImage.class, output)
        .optEngine(OnnxRuntimeStart.ENGINE)
        .optModelPath(file.getParent())
        .optModelName(name)
        .optTranslator(new NsfwTranslator(CLASSES));
    if (intraOpThreads > 0) {
      builder.optOption("intraOpNumThreads", Integer.toString(intraOpThreads));
    }
    Criteria<BufferedImage, Map<String, Double>> criteria = builder.build();
    try {
      return criteria.loadModel();
    } catch (IOException | ModelNotFoundException | MalformedModelException | EngineException e) {
      throw new ClassifierLoadException("NSFW model " + file + " cannot be loaded by ONNX Runtime: "
          + rootMessage(e), e);
    }
  }

  /** Runs a blank image, so that a graph with other inputs or outputs fails at load, not on first use. */
  private void selfCheck() {
    BufferedImage blank = new BufferedImage(NsfwTranslator.SIZE, NsfwTranslator.SIZE, BufferedImage.TYPE_INT_RGB);
    try (Predictor<BufferedImage, Map<String, Double>> predictor = model.newPredictor()) {
      predictor.predict(blank);
    } catch (TranslateException | EngineException | IllegalStateException e) {
      throw new ClassifierLoadException("NSFW model " + file + " does not take input '" + NsfwTranslator.INPUT
          + "' float32 [N, 224, 224, 3] and return '" + NsfwTranslator.OUTPUT + "' [N, " + CLASSES.size() + "]: "
          + rootMessage(e), e);
    }
  }

  private static String sha256(Path file) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new ClassifierLoadException("NSFW model " + file + " cannot be read: " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String rootMessage(Throwable e) {
    StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
        sb.append(": ").append(c.getMessage());
      }
    }
    return sb.toString();
  }
}
