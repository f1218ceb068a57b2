package dev.kiln.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A twenty-byte record that declares a 2 GB string or a map of 2^31 entries is refused, not an
 * {@code OutOfMemoryError}, in a JVM with a 24 MB heap. The decode runs in a child JVM, because
 * the test JVM's own heap is large enough to survive the allocation the limit prevents.
 */
class SmallHeapDecodeTest {
  @Test
  void hostileLengthsAreRefusedUnderATwentyFourMegabyteHeap() throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(java.toString(), "-Xmx24m",
        "-cp", System.getProperty("java.class.path"), SmallHeapDecode.class.getName())
        .redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();

    assertThat(output).doesNotContain("OutOfMemoryError");
    assertThat(child.exitValue()).as(output).isZero();
    assertThat(output).contains("string of 2 GB (")
        .contains("map of 2^31 entries (")
        .doesNotContain("decoded");
    assertThat(output.lines().filter(l -> l.contains("refused"))).hasSize(2);
    // Refused by Kiln's limits, not by running off the end of the record.
    assertThat(output).contains("String length 2147483639 exceeds")
        .contains("Collection length 2147483631 exceeds the maximum allowed of " + AvroLimits.MAX_COLLECTION_ITEMS);
  }

  @Test
  void theHostileRecordsAreTiny() {
    assertThat(SmallHeapDecode.records().values()).allSatisfy(bytes -> assertThat(bytes.length).isLessThan(200));
    assertThat(SmallHeapDecode.records().get("string of 2 GB")).hasSizeLessThanOrEqualTo(20);
  }
}
