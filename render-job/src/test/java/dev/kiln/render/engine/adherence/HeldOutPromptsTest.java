package dev.kiln.render.engine.adherence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.render.engine.adherence.HeldOutPrompts.HeldOutPrompt;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Same list, in the same order, as scenes.py. The digest was printed by
 * {@code cd models/kiln-tiny/train && /usr/bin/python3 -c "import scenes, hashlib;
 * print(hashlib.sha256('\n'.join(scenes.held_out_prompts()).encode()).hexdigest())"}.
 */
class HeldOutPromptsTest {
  @Test
  void listsTheSame74PromptsAsScenesPyInOrder() throws NoSuchAlgorithmException {
    List<String> prompts = HeldOutPrompts.all().stream().map(HeldOutPrompt::text).toList();
    assertThat(prompts).hasSize(74);
    assertThat(prompts.subList(0, 2)).containsExactly("a small orange circle on a blue background",
        "a large orange circle on a blue background");
    assertThat(prompts.get(73)).isEqualTo("a large white triangle on a orange background");
    String joined = prompts.stream().collect(Collectors.joining("\n"));
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(joined.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo("7f35cea7e4b5134c4a5950ea0ed086d840f473e7f2e670505b16997dadfd2b3e");
  }

  @Test
  void neverPairsAColourWithItselfAsBackground() {
    assertThat(HeldOutPrompts.all()).allMatch(p -> p.colour() != p.background());
  }
}
