package dev.kiln.render.engine.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.List;

/**
 * Prompts to CLIP hidden states: tokenizes into {@code input_ids} (int32 or int64, as the model
 * declares) of shape {@code [B, maxLength]} and returns {@code last_hidden_state} (float32 or float16)
 * as float32.
 */
public final class TextEncoderTranslator implements NoBatchifyTranslator<List<String>, TextEmbeddings> {
  public static final String INPUT = "input_ids";
  public static final String OUTPUT = "last_hidden_state";

  private final ClipTokenizer tokenizer;
  private final boolean int64Ids;

  public TextEncoderTranslator(ClipTokenizer tokenizer, boolean int64Ids) {
    this.tokenizer = tokenizer;
    this.int64Ids = int64Ids;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, List<String> prompts) {
    int[] ids = tokenizer.encodeAll(prompts);
    Shape shape = new Shape(prompts.size(), tokenizer.maxLength());
    NDManager manager = ctx.getNDManager();
    NDArray input;
    if (int64Ids) {
      long[] wide = new long[ids.length];
      for (int i = 0; i < ids.length; i++) {
        wide[i] = ids[i];
      }
      input = manager.create(wide, shape);
    } else {
      input = manager.create(ids, shape);
    }
    input.setName(INPUT);
    return new NDList(input);
  }

  @Override
  public TextEmbeddings processOutput(TranslatorContext ctx, NDList list) {
    NDArray hidden = OnnxOutputs.named(list, OUTPUT);
    Shape s = hidden.getShape();
    return new TextEmbeddings(FloatTensors.toFloats(hidden), (int) s.get(0), (int) s.get(1), (int) s.get(2));
  }
}
