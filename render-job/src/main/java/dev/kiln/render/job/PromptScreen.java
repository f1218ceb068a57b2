package dev.kiln.render.job;

import dev.kiln.policy.PolicyMatch;
import dev.kiln.policy.PromptPolicy;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Screens prompts before any GPU time is spent. A rejected prompt is never rendered: each of
 * its images gets a REJECTED result naming the policy category, on {@link #REJECTED}.
 * The negative prompt is screened too: at guidance 0 the sampler follows the negative prompt
 * alone, so it is a second prompt. That rejects a negative prompt that only lists a blocked term to
 * keep out ("blurry, nude"); the policy cannot tell the two uses apart, and the user can drop it.
 */
public class PromptScreen extends ProcessFunction<RenderRequest, RenderRequest> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<RenderResult> REJECTED = new OutputTag<>("prompt-rejected") {};

  private final String policyFile;
  private transient PromptPolicy policy;
  private transient Counter rejected;

  /** @param policyFile a policy JSON file, or null for the shipped default policy */
  public PromptScreen(String policyFile) {
    this.policyFile = policyFile;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    policy = policyFile == null ? PromptPolicy.loadDefault() : PromptPolicy.load(Path.of(policyFile));
    rejected = getRuntimeContext().getMetricGroup().counter("promptsRejected");
  }

  @Override
  public void processElement(RenderRequest request, Context ctx, Collector<RenderRequest> out) {
    String field = "prompt";
    Optional<PolicyMatch> match = policy.check(request.getPrompt());
    if (match.isEmpty()) {
      field = "negative prompt";
      match = policy.check(request.getNegativePrompt());
    }
    if (match.isEmpty()) {
      out.collect(request);
      return;
    }
    PolicyMatch m = match.get();
    rejected.inc();
    String reason = field + " matches policy category \"" + m.category() + "\" (term \"" + m.term() + "\")";
    for (int i = 0; i < request.getNumImages(); i++) {
      ctx.output(REJECTED, Results.of(request, i, ResultStatus.REJECTED, reason,
          Results.promptRejection(m.category(), reason, policy.name(), policy.version())));
    }
  }
}
