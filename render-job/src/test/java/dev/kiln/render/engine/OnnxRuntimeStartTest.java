package dev.kiln.render.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.render.cli.RenderCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime 1.29 parses the process command line recursively when it starts, and a command
 * line over about 4 KB (long -classpath lists, as Flink's and Maven's scripts write) overflowed the
 * default 1 MB main-thread stack: the JVM died with SIGSEGV (exit 139) and no hs_err file. The
 * engine now starts ONNX Runtime on a thread with a large stack. Surefire hides the problem (its
 * forked JVM gets a short command line), hence the child JVM here.
 */
class OnnxRuntimeStartTest {
  @Test
  void rendersInAJvmWithAVeryLongCommandLine(@TempDir Path tmp) throws IOException, InterruptedException {
    Path png = tmp.resolve("long.png");
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(List.of(javaBin.toString(), "-Xss1m", "-Dkiln.padding=" + "x".repeat(12_000),
        "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-Dai.djl.offline=true",
        "-cp", System.getProperty("java.class.path"), RenderCommand.class.getName(),
        "--prompt", "a red circle", "--steps", "1", "--model-dir", ModelFixtures.kilnTiny().toString(),
        "--out", png.toString()))
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("child.log").toFile())
        .start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(tmp.resolve("child.log"))).isZero();
    assertThat(png).exists();
  }
}
