package dev.kiln.render.engine;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.EngineException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import dev.kiln.render.engine.internal.ClipTokenizer;
import dev.kiln.render.engine.internal.DecodedImages;
import dev.kiln.onnx.OnnxRuntimeStart;
import dev.kiln.render.engine.internal.Latents;
import dev.kiln.render.engine.internal.ModelLayout;
import dev.kiln.render.engine.internal.NoiseGenerator;
import dev.kiln.render.engine.internal.NoiseScheduler;
import dev.kiln.render.engine.internal.OnnxGraphInfo;
import dev.kiln.render.engine.internal.OnnxGraphInfo.TensorSpec;
import dev.kiln.render.engine.internal.SchedulerConfig;
import dev.kiln.render.engine.internal.Schedulers;
import dev.kiln.render.engine.internal.TextEmbeddings;
import dev.kiln.render.engine.internal.TextEncoderTranslator;
import dev.kiln.render.engine.internal.UNetInput;
import dev.kiln.render.engine.internal.UNetTranslator;
import dev.kiln.render.engine.internal.VaeDecoderTranslator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A text-to-image diffusion model in the diffusers ONNX layout, run through DJL's ONNX Runtime
 * engine: CLIP tokenizer and text encoder, UNet with a diffusers scheduler (DDIM, Euler discrete,
 * Euler ancestral, LCM or PNDM/PLMS, from {@code scheduler/scheduler_config.json}), and VAE decoder.
 * Float tensors may be float32 or float16 (optimum's {@code --dtype fp16}), each as its graph
 * declares; the engine's own arithmetic is float32.
 *
 * <p><b>Loading.</b> {@link #load} checks the directory and every ONNX signature before creating
 * sessions, and throws {@link ModelLoadException} naming the file and what was expected. The three
 * models are loaded once and live until {@link #close()}.
 *
 * <p><b>Devices.</b> CPU by default. {@code Device.gpu(id)} runs on CUDA GPU {@code id} when
 * {@code com.microsoft.onnxruntime:onnxruntime_gpu} (same version, CUDA 12 and cuDNN 9 on the
 * host) replaces {@code com.microsoft.onnxruntime:onnxruntime} on the class path; with the CPU
 * artifact, loading on a GPU fails with a message saying so. See docs/engine.md.
 *
 * <p><b>Generating.</b> {@link #generate} runs one batched denoising loop for a list of compatible
 * requests (same {@link #batchKey}): one UNet call per scheduler step for the whole batch, of batch
 * {@code 2N} with classifier-free guidance (unconditional and conditional rows) or {@code N}
 * without. Each image's initial noise depends on its own seed only (see {@link
 * NoiseGenerator}), so an image does not depend on its batch, and the same request gives the same
 * pixels again on the same machine.
 *
 * <p><b>Threads.</b> Safe for concurrent use: each {@code generate} call creates and closes its own
 * DJL predictors (a predictor is not thread-safe) over the shared ONNX Runtime sessions.
 * {@link #close()} waits for running calls to finish; later calls fail with
 * {@link IllegalStateException}.
 */
public final class DiffusionEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DiffusionEngine.class);
  private static final int VAE_FACTOR = 8;
  private static final int[] RANK_2 = {2};
  private static final int[] RANK_3 = {3};
  private static final int[] RANK_4 = {4};
  private static final int[] FLOATS = {TensorSpec.FLOAT, TensorSpec.FLOAT16};

  private final Path modelDir;
  private final Device device;
  private final String digest;
  private final NoiseScheduler scheduler;
  private final int latentChannels;
  private final int sizeMultiple;
  private final ZooModel<List<String>, TextEmbeddings> textEncoder;
  private final ZooModel<UNetInput, float[]> unet;
  private final ZooModel<Latents, DecodedImages> vaeDecoder;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private final LongAdder batches = new LongAdder();
  private final LongAdder images = new LongAdder();
  private final LongAdder textCalls = new LongAdder();
  private final LongAdder textNanos = new LongAdder();
  private final LongAdder unetCalls = new LongAdder();
  private final LongAdder unetSamples = new LongAdder();
  private final LongAdder unetNanos = new LongAdder();
  private final LongAdder vaeCalls = new LongAdder();
  private final LongAdder vaeNanos = new LongAdder();

  private DiffusionEngine(Path modelDir, Device device, String digest, NoiseScheduler scheduler, int latentChannels,
      int sizeMultiple, ZooModel<List<String>, TextEmbeddings> textEncoder, ZooModel<UNetInput, float[]> unet,
      ZooModel<Latents, DecodedImages> vaeDecoder) {
    this.modelDir = modelDir;
    this.device = device;
    this.digest = digest;
    this.scheduler = scheduler;
    this.latentChannels = latentChannels;
    this.sizeMultiple = sizeMultiple;
    this.textEncoder = textEncoder;
    this.unet = unet;
    this.vaeDecoder = vaeDecoder;
  }

  /** Loads {@code modelDir} on the CPU; see {@link #load(EngineOptions)}. */
  public static DiffusionEngine load(Path modelDir) {
    return load(EngineOptions.builder().setModelDir(modelDir).build());
  }

  /** Loads {@code modelDir} on {@code device}; see {@link #load(EngineOptions)}. */
  public static DiffusionEngine load(Path modelDir, Device device) {
    return load(EngineOptions.builder().setModelDir(modelDir).optDevice(device).build());
  }

  /**
   * Loads a model directory in the diffusers ONNX layout: {@code model_index.json},
   * {@code tokenizer/} (vocab.json, merges.txt, optional tokenizer_config.json and
   * special_tokens_map.json), {@code text_encoder/model.onnx} ({@code input_ids} int32 or int64
   * {@code -> last_hidden_state}), {@code unet/model.onnx} ({@code sample, timestep,
   * encoder_hidden_states -> out_sample}; timestep float or int, scalar, {@code [1]} or
   * {@code [batch]}), {@code vae_decoder/model.onnx} ({@code latent_sample -> sample}, optional
   * config.json with {@code scaling_factor}), float tensors float32 or float16, and
   * {@code scheduler/scheduler_config.json}. Also computes the {@link #modelDigest()}.
   *
   * @throws ModelLoadException naming the missing or wrong file or tensor and what was expected
   */
  public static DiffusionEngine load(EngineOptions options) {
    long start = System.nanoTime();
    Path dir = options.modelDir().toAbsolutePath().normalize();
    ModelLayout layout = ModelLayout.check(dir);

    OnnxGraphInfo textGraph = layout.graph(ModelLayout.TEXT_ENCODER);
    ModelLayout.requireSignature(ModelLayout.TEXT_ENCODER, textGraph, List.of(TextEncoderTranslator.INPUT),
        TextEncoderTranslator.OUTPUT);
    TensorSpec ids = textGraph.input(TextEncoderTranslator.INPUT);
    ModelLayout.requireTensor(ModelLayout.TEXT_ENCODER, ids, "[batch, 77]", RANK_2, TensorSpec.INT64, TensorSpec.INT32);
    TensorSpec hidden = textGraph.output(TextEncoderTranslator.OUTPUT);
    ModelLayout.requireTensor(ModelLayout.TEXT_ENCODER, hidden, "[batch, 77, width]", RANK_3, FLOATS);

    OnnxGraphInfo unetGraph = layout.graph(ModelLayout.UNET);
    ModelLayout.requireSignature(ModelLayout.UNET, unetGraph,
        List.of(UNetTranslator.SAMPLE, UNetTranslator.TIMESTEP, UNetTranslator.CONTEXT), UNetTranslator.OUTPUT);
    TensorSpec sample = unetGraph.input(UNetTranslator.SAMPLE);
    TensorSpec timestep = unetGraph.input(UNetTranslator.TIMESTEP);
    TensorSpec context = unetGraph.input(UNetTranslator.CONTEXT);
    ModelLayout.requireTensor(ModelLayout.UNET, sample, "[batch, 4, height, width]", RANK_4, FLOATS);
    ModelLayout.requireTensor(ModelLayout.UNET, timestep, "[] or [1] or [batch]", new int[] {0, 1},
        TensorSpec.INT64, TensorSpec.FLOAT, TensorSpec.FLOAT16, TensorSpec.INT32, TensorSpec.DOUBLE);
    ModelLayout.requireTensor(ModelLayout.UNET, context, "[batch, 77, width]", RANK_3, FLOATS);
    ModelLayout.requireTensor(ModelLayout.UNET, unetGraph.output(UNetTranslator.OUTPUT), "[batch, 4, height, width]",
        RANK_4, FLOATS);

    OnnxGraphInfo vaeGraph = layout.graph(ModelLayout.VAE_DECODER);
    ModelLayout.requireSignature(ModelLayout.VAE_DECODER, vaeGraph, List.of(VaeDecoderTranslator.INPUT),
        VaeDecoderTranslator.OUTPUT);
    TensorSpec latentSample = vaeGraph.input(VaeDecoderTranslator.INPUT);
    ModelLayout.requireTensor(ModelLayout.VAE_DECODER, latentSample, "[batch, 4, height/8, width/8]", RANK_4, FLOATS);
    ModelLayout.requireTensor(ModelLayout.VAE_DECODER, vaeGraph.output(VaeDecoderTranslator.OUTPUT),
        "[batch, 3, height, width]", RANK_4, FLOATS);

    ClipTokenizer tokenizer = loadTokenizer(layout);
    if (ids.dim(1) > 0 && ids.dim(1) != tokenizer.maxLength()) {
      throw new ModelLoadException(ModelLayout.TEXT_ENCODER + " takes " + ids.dim(1) + " tokens but tokenizer/ "
          + "is configured for " + tokenizer.maxLength() + " (model_max_length in tokenizer_config.json)");
    }
    if (hidden.dim(2) > 0 && context.dim(2) > 0 && hidden.dim(2) != context.dim(2)) {
      throw new ModelLoadException(ModelLayout.TEXT_ENCODER + " produces " + hidden.dim(2) + "-wide hidden states but "
          + ModelLayout.UNET + " expects encoder_hidden_states of width " + context.dim(2));
    }
    int channels = sample.dim(1) > 0 ? (int) sample.dim(1) : 4;
    long vaeChannels = vaeGraph.input(VaeDecoderTranslator.INPUT).dim(1);
    if (vaeChannels > 0 && vaeChannels != channels) {
      throw new ModelLoadException(ModelLayout.VAE_DECODER + " takes " + vaeChannels + " latent channels but "
          + ModelLayout.UNET + " produces " + channels);
    }
    NoiseScheduler scheduler = loadScheduler(layout, options);
    float scalingFactor = layout.scalingFactor();
    int sizeMultiple = VAE_FACTOR * layout.unetDownscale();
    UNetTranslator.TimestepShape timestepShape = timestep.dims().length == 0 ? UNetTranslator.TimestepShape.SCALAR
        : timestep.dim(0) == 1 ? UNetTranslator.TimestepShape.ONE : UNetTranslator.TimestepShape.BATCH;

    try {
      OnnxRuntimeStart.start();
    } catch (EngineException e) {
      throw new ModelLoadException("cannot load " + dir + ": " + e.getMessage(), e);
    }
    List<ZooModel<?, ?>> opened = new ArrayList<>();
    try {
      @SuppressWarnings("unchecked")
      Class<List<String>> prompts = (Class<List<String>>) (Class<?>) List.class;
      ZooModel<List<String>, TextEmbeddings> text = loadOnnx(layout, ModelLayout.TEXT_ENCODER, prompts,
          TextEmbeddings.class, new TextEncoderTranslator(tokenizer, ids.elementType() == TensorSpec.INT64), options);
      opened.add(text);
      ZooModel<UNetInput, float[]> unet = loadOnnx(layout, ModelLayout.UNET, UNetInput.class, float[].class,
          new UNetTranslator(sample.elementType(), timestep.elementType(), timestepShape, context.elementType()),
          options);
      opened.add(unet);
      ZooModel<Latents, DecodedImages> vae = loadOnnx(layout, ModelLayout.VAE_DECODER, Latents.class,
          DecodedImages.class, new VaeDecoderTranslator(scalingFactor, latentSample.elementType()), options);
      opened.add(vae);
      String digest = layout.digest();
      DiffusionEngine engine = new DiffusionEngine(dir, options.device(), digest, scheduler, channels, sizeMultiple,
          text, unet, vae);
      LOG.info("loaded diffusion model {} on {} in {} ms: scheduler {}, latent channels {}, sizes in multiples of {}, "
              + "sha256 {}", dir, options.device(), (System.nanoTime() - start) / 1_000_000, scheduler.name(),
          channels, sizeMultiple, digest);
      return engine;
    } catch (RuntimeException e) {
      closeAll(opened, e);
      throw e;
    }
  }

  private static ClipTokenizer loadTokenizer(ModelLayout layout) {
    try {
      return ClipTokenizer.load(layout.resolve(ModelLayout.TOKENIZER));
    } catch (IOException | IllegalArgumentException e) {
      throw new ModelLoadException("tokenizer/ in " + layout.dir() + " cannot be loaded: " + e.getMessage()
          + "; expected a CLIP tokenizer (vocab.json, merges.txt, tokenizer_config.json)", e);
    }
  }

  private static NoiseScheduler loadScheduler(ModelLayout layout, EngineOptions options) {
    try {
      SchedulerConfig config = SchedulerConfig.read(layout.resolve(ModelLayout.SCHEDULER_CONFIG));
      return Schedulers.create(config, options.scheduler().orElse(null));
    } catch (IOException | IllegalArgumentException e) {
      throw new ModelLoadException(ModelLayout.SCHEDULER_CONFIG + " in " + layout.dir() + ": " + e.getMessage(), e);
    }
  }

  private static <I, O> ZooModel<I, O> loadOnnx(ModelLayout layout, String file, Class<I> input, Class<O> output,
      Translator<I, O> translator, EngineOptions options) {
    Path path = layout.resolve(file);
    Criteria.Builder<I, O> criteria = Criteria.builder()
        .setTypes(input, output)
        .optEngine(OnnxRuntimeStart.ENGINE)
        .optModelPath(path.getParent())
        .optModelName("model")
        .optDevice(options.device())
        .optTranslator(translator)
        // DJL ignores the device unless at least one option is given; SEQUENTIAL is ONNX Runtime's default.
        .optOption("executionMode", "SEQUENTIAL");
    options.intraOpThreads().ifPresent(n -> criteria.optOption("intraOpNumThreads", Integer.toString(n)));
    options.interOpThreads().ifPresent(n -> criteria.optOption("interOpNumThreads", Integer.toString(n)));
    try {
      return criteria.build().loadModel();
    } catch (IOException | ModelNotFoundException | MalformedModelException | EngineException e) {
      String gpuHint = options.device().isGpu() ? " (running on " + options.device()
          + " needs com.microsoft.onnxruntime:onnxruntime_gpu in place of onnxruntime, and CUDA; see docs/engine.md)"
          : "";
      throw new ModelLoadException(file + " in " + layout.dir() + " could not be loaded by ONNX Runtime: "
          + rootMessage(e) + gpuHint, e);
    }
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

  private static void closeAll(List<ZooModel<?, ?>> models, RuntimeException failure) {
    for (ZooModel<?, ?> model : models) {
      try {
        model.close();
      } catch (RuntimeException e) { // keep the load failure as the one to report
        failure.addSuppressed(e);
      }
    }
  }

  /**
   * The key that requests must share to be batched together: size, steps, and whether guidance
   * runs (scale above 1).
   */
  public static BatchKey batchKey(GenerationRequest request) {
    return new BatchKey(request.width(), request.height(), request.steps(), request.usesGuidance());
  }

  /**
   * Generates one image per request, in request order, in one batched denoising loop.
   *
   * @param batch non-empty, all with the same {@link #batchKey}; prompts, negative prompts,
   *     guidance scales and seeds may differ
   * @throws IllegalArgumentException for an empty or mixed batch, a size that is not a multiple of
   *     {@link #imageSizeMultiple()}, or more steps than the scheduler allows
   * @throws IllegalStateException when the engine is closed
   * @throws GenerationException when ONNX Runtime fails
   */
  public List<GeneratedImage> generate(List<GenerationRequest> batch) {
    return decode(batch).toImages();
  }

  /**
   * Like {@link #generate}, but returns the VAE decoder's output for each request before it becomes
   * bytes: {@code [3, height, width]} channel-major floats in about [-1, 1], unclamped. For parity
   * checks against a reference implementation ({@code bench/sd-parity}).
   */
  public List<float[]> generateDecoded(List<GenerationRequest> batch) {
    DecodedImages decoded = decode(batch);
    List<float[]> out = new ArrayList<>(decoded.batch());
    for (int i = 0; i < decoded.batch(); i++) {
      out.add(decoded.image(i));
    }
    return out;
  }

  private DecodedImages decode(List<GenerationRequest> batch) {
    Objects.requireNonNull(batch, "batch");
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("batch is empty: pass at least one GenerationRequest");
    }
    BatchKey key = batchKey(batch.get(0));
    for (int i = 1; i < batch.size(); i++) {
      BatchKey other = batchKey(batch.get(i));
      if (!other.equals(key)) {
        throw new IllegalArgumentException("batch mixes incompatible requests: item 0 has " + key + ", item " + i
            + " has " + other + "; group requests by DiffusionEngine.batchKey(request) first");
      }
    }
    checkSize("width", key.width());
    checkSize("height", key.height());
    if (key.steps() > scheduler.maxSteps()) {
      throw new IllegalArgumentException("steps must be at most " + scheduler.maxSteps() + " for " + scheduler.name()
          + ", got " + key.steps());
    }
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("DiffusionEngine for " + modelDir + " is closed");
      }
      return run(batch, key);
    } finally {
      lock.unlock();
    }
  }

  private void checkSize(String field, int value) {
    if (value % sizeMultiple != 0) {
      throw new IllegalArgumentException(field + " must be a multiple of " + sizeMultiple + " for this model (its UNet "
          + "downsamples the 1/8-size latents), got " + value);
    }
  }

  private DecodedImages run(List<GenerationRequest> batch, BatchKey key) {
    int n = batch.size();
    boolean guided = key.guided();
    int rows = guided ? 2 * n : n;
    int lh = key.height() / VAE_FACTOR;
    int lw = key.width() / VAE_FACTOR;
    int plane = latentChannels * lh * lw;
    List<String> texts = new ArrayList<>(rows);
    if (guided) {
      batch.forEach(r -> texts.add(r.negativePrompt()));
    }
    batch.forEach(r -> texts.add(r.prompt()));

    try (Predictor<List<String>, TextEmbeddings> text = textEncoder.newPredictor();
        Predictor<UNetInput, float[]> denoiser = unet.newPredictor();
        Predictor<Latents, DecodedImages> decoder = vaeDecoder.newPredictor()) {
      long t0 = System.nanoTime();
      TextEmbeddings context = text.predict(texts);
      textNanos.add(System.nanoTime() - t0);
      textCalls.increment();

      NoiseScheduler.Sampling sampling = scheduler.start(key.steps());
      float sigma = sampling.initNoiseSigma();
      float[] x = new float[n * plane];
      NoiseGenerator.Stream[] noiseStreams = new NoiseGenerator.Stream[n];
      for (int i = 0; i < n; i++) {
        noiseStreams[i] = new NoiseGenerator.Stream(batch.get(i).seed());
        float[] noise = noiseStreams[i].next(plane);
        for (int j = 0; j < plane; j++) {
          x[i * plane + j] = noise[j] * sigma;
        }
      }
      for (int call = 0; call < sampling.modelCalls(); call++) {
        float[] in = sampling.scaleModelInput(x, call);
        float[] rowsIn = in;
        if (guided) {
          rowsIn = new float[2 * in.length];
          System.arraycopy(in, 0, rowsIn, 0, in.length);
          System.arraycopy(in, 0, rowsIn, in.length, in.length);
        }
        long t1 = System.nanoTime();
        float[] out = denoiser.predict(new UNetInput(rowsIn, rows, latentChannels, lh, lw, sampling.timestep(call),
            context));
        unetNanos.add(System.nanoTime() - t1);
        unetCalls.increment();
        unetSamples.add(rows);
        float[] eps = guided ? guide(out, batch, plane) : out;
        if (sampling.usesNoise(call)) {
          float[] stepNoise = new float[n * plane];
          for (int i = 0; i < n; i++) {
            System.arraycopy(noiseStreams[i].next(plane), 0, stepNoise, i * plane, plane);
          }
          x = sampling.step(eps, call, x, stepNoise);
        } else {
          x = sampling.step(eps, call, x);
        }
      }

      long t2 = System.nanoTime();
      DecodedImages result = decoder.predict(new Latents(x, n, latentChannels, lh, lw));
      vaeNanos.add(System.nanoTime() - t2);
      vaeCalls.increment();
      if (result.batch() != n || result.width() != key.width() || result.height() != key.height()) {
        throw new IllegalStateException(ModelLayout.VAE_DECODER + " returned " + result.batch() + " images of "
            + result.width() + "x" + result.height() + " for " + n + " requests of " + key.width() + "x"
            + key.height());
      }
      batches.increment();
      images.add(n);
      return result;
    } catch (TranslateException e) {
      throw new GenerationException("generating a batch of " + n + " images (" + key + ") with " + modelDir
          + " failed: " + rootMessage(e), e);
    }
  }

  /** Classifier-free guidance per image: {@code uncond + scale * (cond - uncond)}. */
  private static float[] guide(float[] out, List<GenerationRequest> batch, int plane) {
    int n = batch.size();
    float[] eps = new float[n * plane];
    for (int i = 0; i < n; i++) {
      float g = batch.get(i).guidanceScale();
      int u = i * plane;
      int c = (n + i) * plane;
      for (int j = 0; j < plane; j++) {
        float uncond = out[u + j];
        eps[u + j] = uncond + g * (out[c + j] - uncond);
      }
    }
    return eps;
  }

  /** SHA-256 (hex) of the model's files, computed at load; see docs/engine.md for what it covers. */
  public String modelDigest() {
    return digest;
  }

  /** The diffusers class name of the scheduler in use, e.g. {@code DDIMScheduler}. */
  public String schedulerName() {
    return scheduler.name();
  }

  /** Width and height must be multiples of this (8 times the UNet's downsampling). */
  public int imageSizeMultiple() {
    return sizeMultiple;
  }

  public Path modelDir() {
    return modelDir;
  }

  public Device device() {
    return device;
  }

  /** A snapshot of the counters since load. */
  public EngineStats stats() {
    return new EngineStats(batches.sum(), images.sum(), textCalls.sum(), textNanos.sum(), unetCalls.sum(),
        unetSamples.sum(), unetNanos.sum(), vaeCalls.sum(), vaeNanos.sum());
  }

  /** Waits for running {@code generate} calls, then releases the native sessions. Idempotent. */
  @Override
  public void close() {
    Lock lock = lifecycle.writeLock();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      textEncoder.close();
      unet.close();
      vaeDecoder.close();
      LOG.info("closed diffusion model {}", modelDir);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "DiffusionEngine[" + modelDir + ", " + device + ", " + scheduler.name() + "]";
  }
}
