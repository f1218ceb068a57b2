package dev.kiln.safety.policy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.safety.policy.ImagePolicy.Action;
import dev.kiln.safety.policy.ImagePolicy.ClassRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Per-tenant image policies from one JSON file: a default policy and, per tenant, the rules
 * that differ from it. A tenant's class rules replace the default's rule for the same class and
 * keep the others.
 *
 * <pre>{@code
 * {"version": "2026-11-22",
 *  "default": {"classes": {"Porn": {"threshold": 0.6, "action": "reject"},
 *                          "Sexy": {"threshold": 0.8, "action": "flag"}},
 *              "blockList": "reject", "nearDuplicateDistance": 10},
 *  "tenants": {"kids-brand": {"classes": {"Sexy": {"threshold": 0.3, "action": "reject"}}},
 *              "acme": {"promptInCredentials": true}}}
 * }</pre>
 *
 * {@code promptInCredentials} (default false) puts the prompt text into the signed C2PA manifest
 * of the tenant's published images.
 *
 * Errors name the JSON field and what is allowed, e.g. {@code tenants.acme.classes.Porn.action:
 * must be "reject" or "flag", got "block"}.
 */
public final class TenantPolicies implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String DEFAULT_RESOURCE = "policy/image-policy.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> POLICY_FIELDS = Set.of("classes", "blockList", "nearDuplicateDistance",
      "promptInCredentials");

  private final String version;
  private final ImagePolicy defaults;
  private final Map<String, ImagePolicy> tenants;

  private TenantPolicies(String version, ImagePolicy defaults, Map<String, ImagePolicy> tenants) {
    this.version = version;
    this.defaults = defaults;
    this.tenants = tenants;
  }

  /** The policy for {@code tenant}: its own when the file has one, else the default. */
  public ImagePolicy forTenant(String tenant) {
    return tenants.getOrDefault(tenant, defaults);
  }

  public String version() {
    return version;
  }

  public static TenantPolicies loadDefault() {
    try (InputStream in = TenantPolicies.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the classpath");
      }
      return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + DEFAULT_RESOURCE, e);
    }
  }

  public static TenantPolicies load(Path file) throws IOException {
    try {
      return fromJson(Files.readString(file));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  public static TenantPolicies fromJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("image policy is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("image policy must be a JSON object with version, default and tenants");
    }
    onlyFields(root, "", Set.of("version", "description", "default", "tenants"));
    String version = text(root, "version");
    JsonNode defaultNode = root.get("default");
    if (defaultNode == null || !defaultNode.isObject()) {
      throw new IllegalArgumentException("default: required, an object with classes, blockList and"
          + " nearDuplicateDistance");
    }
    ImagePolicy defaults = policy(defaultNode, "default", "default", version,
        new ImagePolicy("default", version, Map.of(), Action.REJECT, 10, false));
    Map<String, ImagePolicy> tenants = new LinkedHashMap<>();
    JsonNode tenantsNode = root.path("tenants");
    if (!tenantsNode.isMissingNode() && !tenantsNode.isObject()) {
      throw new IllegalArgumentException("tenants: must be an object of tenant id -> policy");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = tenantsNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException("tenants." + e.getKey() + ": tenant ids match [A-Za-z0-9._-]{1,64}");
      }
      tenants.put(e.getKey(), policy(e.getValue(), "tenants." + e.getKey(), "tenant:" + e.getKey(), version, defaults));
    }
    return new TenantPolicies(version, defaults, Map.copyOf(tenants));
  }

  private static ImagePolicy policy(JsonNode node, String path, String name, String version, ImagePolicy base) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(path + ": must be an object with classes, blockList, nearDuplicateDistance");
    }
    onlyFields(node, path + ".", POLICY_FIELDS);
    Map<String, ClassRule> classes = new LinkedHashMap<>(base.classes());
    JsonNode classesNode = node.path("classes");
    if (!classesNode.isMissingNode() && !classesNode.isObject()) {
      throw new IllegalArgumentException(path + ".classes: must be an object of class name -> {threshold, action}");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = classesNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String rulePath = path + ".classes." + e.getKey();
      JsonNode rule = e.getValue();
      if (!rule.isObject()) {
        throw new IllegalArgumentException(rulePath + ": must be {\"threshold\": 0..1, \"action\": \"reject\"|\"flag\"}");
      }
      onlyFields(rule, rulePath + ".", Set.of("threshold", "action"));
      JsonNode threshold = rule.get("threshold");
      if (threshold == null || !threshold.isNumber() || threshold.asDouble() < 0 || threshold.asDouble() > 1) {
        throw new IllegalArgumentException(rulePath + ".threshold: must be a number from 0 to 1, got " + threshold);
      }
      classes.put(e.getKey(), new ClassRule(threshold.asDouble(), action(rule.get("action"), rulePath + ".action")));
    }
    Action blockList = node.has("blockList") ? action(node.get("blockList"), path + ".blockList") : base.blockList();
    int distance = base.nearDuplicateDistance();
    if (node.has("nearDuplicateDistance")) {
      JsonNode d = node.get("nearDuplicateDistance");
      if (!d.isInt() || d.asInt() < 0 || d.asInt() > 256) {
        throw new IllegalArgumentException(path + ".nearDuplicateDistance: must be an integer from 0 to 256"
            + " (0 turns near-duplicate marking off), got " + d);
      }
      distance = d.asInt();
    }
    boolean prompt = base.promptInCredentials();
    if (node.has("promptInCredentials")) {
      JsonNode p = node.get("promptInCredentials");
      if (!p.isBoolean()) {
        throw new IllegalArgumentException(path + ".promptInCredentials: must be true or false, got " + p);
      }
      prompt = p.asBoolean();
    }
    return new ImagePolicy(name, version, classes, blockList, distance, prompt);
  }

  private static Action action(JsonNode node, String path) {
    if (node == null || !node.isTextual()
        || !List.of("reject", "flag").contains(node.asText().toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(path + ": must be \"reject\" or \"flag\", got " + node);
    }
    return Action.valueOf(node.asText().toUpperCase(Locale.ROOT));
  }

  private static String text(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual() || n.asText().isBlank()) {
      throw new IllegalArgumentException(field + ": required, a non-empty string");
    }
    return n.asText();
  }

  private static void onlyFields(JsonNode node, String prefix, Set<String> allowed) {
    node.fieldNames().forEachRemaining(f -> {
      if (!allowed.contains(f)) {
        throw new IllegalArgumentException(prefix + f + ": unknown field; allowed: " + allowed.stream().sorted().toList());
      }
    });
  }
}
