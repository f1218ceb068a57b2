package dev.kiln.render.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class RenderJobOptionsTest {
  @Test
  void onCpuRunsOneSingleThreadedBatchPerProcessorByDefault() {
    Configuration config = new Configuration();
    assertThat(RenderJobOptions.engineThreads(config)).isEqualTo(1);
    assertThat(RenderJobOptions.concurrentBatches(config, false, 2)).isEqualTo(2);
    assertThat(RenderJobOptions.concurrentBatches(config, false, 16)).isEqualTo(16);
  }

  @Test
  void automaticConcurrencyDividesProcessorsByThreadsPerBatch() {
    Configuration config = new Configuration();
    config.set(RenderJobOptions.ENGINE_THREADS, 4);
    assertThat(RenderJobOptions.concurrentBatches(config, false, 16)).isEqualTo(4);
    assertThat(RenderJobOptions.concurrentBatches(config, false, 2)).isEqualTo(1);
    config.set(RenderJobOptions.ENGINE_THREADS, 0);
    assertThat(RenderJobOptions.concurrentBatches(config, false, 16)).isEqualTo(1);
  }

  @Test
  void aGpuRunsOneBatchAtATimeUnlessTold() {
    Configuration config = new Configuration();
    assertThat(RenderJobOptions.concurrentBatches(config, true, 16)).isEqualTo(1);
    config.set(RenderJobOptions.CONCURRENT_BATCHES, 3);
    assertThat(RenderJobOptions.concurrentBatches(config, true, 16)).isEqualTo(3);
  }

  @Test
  void negativeSettingsAreRejectedByName() {
    Configuration threads = new Configuration();
    threads.set(RenderJobOptions.ENGINE_THREADS, -1);
    assertThatThrownBy(() -> RenderJobOptions.concurrentBatches(threads, false, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kiln.render.engine-threads must be 0 (ONNX Runtime's default) or more, got -1");
    Configuration batches = new Configuration();
    batches.set(RenderJobOptions.CONCURRENT_BATCHES, -1);
    assertThatThrownBy(() -> RenderJobOptions.concurrentBatches(batches, false, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kiln.render.concurrent-batches must be 0 (automatic) or more, got -1");
  }

  @Test
  void pngCompressionDefaultsToFourAndIsCheckedByName() {
    Configuration config = new Configuration();
    assertThat(RenderJobOptions.pngCompression(config)).isEqualTo(4);
    config.set(RenderJobOptions.PNG_COMPRESSION, 9);
    assertThat(RenderJobOptions.pngCompression(config)).isEqualTo(9);
    config.set(RenderJobOptions.PNG_COMPRESSION, 10);
    assertThatThrownBy(() -> RenderJobOptions.pngCompression(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kiln.render.png-compression must be 0 (stored) to 9 (smallest), got 10");
  }

  @Test
  void watermarkKeyIdDefaultsToOneAndIsCheckedByName() {
    Configuration config = new Configuration();
    assertThat(RenderJobOptions.watermarkKeyId(config)).isEqualTo(1);
    config.set(RenderJobOptions.WATERMARK_KEY_ID, 65535);
    assertThat(RenderJobOptions.watermarkKeyId(config)).isEqualTo(65535);
    config.set(RenderJobOptions.WATERMARK_KEY_ID, 0);
    assertThat(RenderJobOptions.watermarkKeyId(config)).isEqualTo(0);
    config.set(RenderJobOptions.WATERMARK_KEY_ID, 65536);
    assertThatThrownBy(() -> RenderJobOptions.watermarkKeyId(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kiln.watermark.key-id must be 0 to 65535, got 65536");
    config.set(RenderJobOptions.WATERMARK_KEY_ID, -1);
    assertThatThrownBy(() -> RenderJobOptions.watermarkKeyId(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kiln.watermark.key-id must be 0 to 65535, got -1");
    Configuration text = Configuration.fromMap(java.util.Map.of("kiln.watermark.key-id", "7"));
    assertThat(RenderJobOptions.watermarkKeyId(text)).isEqualTo(7);
  }
}
