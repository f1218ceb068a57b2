package dev.kiln.onnx;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;

/**
 * Process-wide DJL and ONNX Runtime start-up, done once before any model loads. Every DJL user in
 * Kiln calls it: the NSFW classifier here and the diffusion engine in render-job (which depends on
 * this module).
 */
public final class OnnxRuntimeStart {
  public static final String ENGINE = "OnnxRuntime";

  /**
   * Stack for the thread that starts ONNX Runtime. ONNX Runtime 1.29 parses the process command
   * line recursively when its environment starts; a JVM command line longer than about 4 KB (a
   * long -classpath, as Flink's and Maven's launch scripts write) overflows a default 1 MB thread
   * stack and the JVM dies with SIGSEGV and no hs_err file. 64 MB is reserved address space, not
   * memory.
   */
  private static final long INIT_STACK_BYTES = 64L << 20;

  private static boolean started;

  private OnnxRuntimeStart() {}

  /**
   * Keeps DJL offline, then starts DJL's ONNX Runtime engine on a thread with a large stack.
   * Idempotent and thread-safe.
   *
   * <p>Without {@code ai.djl.offline} DJL probes a cloud metadata address when its engine starts
   * (usage tracking), and without {@code ai.djl.onnx.disable_alternative} the ONNX Runtime engine
   * may try to download libtorch as an "alternative" engine. Values a user set are left alone.
   *
   * @throws EngineException when ONNX Runtime cannot start
   */
  public static synchronized void start() {
    if (started) {
      return;
    }
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("ai.djl.onnx.disable_alternative", "true");
    setIfAbsent("OPT_OUT_TRACKING", "true");
    RuntimeException[] failure = new RuntimeException[1];
    Thread init = new Thread(null, () -> {
      try {
        Engine.getEngine(ENGINE);
      } catch (RuntimeException e) { // reported to the loading thread below
        failure[0] = e;
      }
    }, "kiln-onnxruntime-start", INIT_STACK_BYTES);
    init.start();
    try {
      init.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException("interrupted while starting ONNX Runtime", e);
    }
    if (failure[0] != null) {
      throw new EngineException("ONNX Runtime did not start: " + failure[0].getMessage(), failure[0]);
    }
    started = true;
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
