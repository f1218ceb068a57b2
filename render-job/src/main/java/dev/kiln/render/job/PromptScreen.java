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
 * The negative prompt is not screened: it lists what the user wants kept out of the image.
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
    Optional<PolicyMatch> match = policy.check(request.getPrompt());
    if (match.isEmpty()) {
      out.collect(request);
      return;
    }
    PolicyMatch m = match.get();
    rejected.inc();
    String reason = "prompt matches policy category \"" + m.category() + "\" (term \"" + m.term() + "\")";
    for (int i = 0; i < request.getNumImages(); i++) {
      ctx.output(REJECTED, Results.of(request, i, ResultStatus.REJECTED, reason,
          Results.promptRejection(m.category(), reason, policy.name(), policy.version())));
    }
  }
}
