package dev.kiln.safety.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.safety.policy.ImagePolicy.Action;
import org.junit.jupiter.api.Test;

class TenantPoliciesTest {
  static final String JSON = """
      {"version": "v7",
       "default": {"classes": {"Porn": {"threshold": 0.6, "action": "reject"},
                               "Sexy": {"threshold": 0.8, "action": "flag"}},
                   "blockList": "reject", "nearDuplicateDistance": 10},
       "tenants": {"kids": {"classes": {"Sexy": {"threshold": 0.3, "action": "reject"}}},
                   "art": {"classes": {"Drawing": {"threshold": 0.9, "action": "flag"}}, "nearDuplicateDistance": 0}}}
      """;

  @Test
  void aTenantOverridesOnlyTheRulesItNames() {
    TenantPolicies p = TenantPolicies.fromJson(JSON);
    ImagePolicy kids = p.forTenant("kids");
    assertThat(kids.name()).isEqualTo("tenant:kids");
    assertThat(kids.version()).isEqualTo("v7");
    assertThat(kids.classes().get("Sexy")).isEqualTo(new ImagePolicy.ClassRule(0.3, Action.REJECT));
    assertThat(kids.classes().get("Porn")).isEqualTo(new ImagePolicy.ClassRule(0.6, Action.REJECT));
    assertThat(kids.nearDuplicateDistance()).isEqualTo(10);
    assertThat(p.forTenant("art").nearDuplicateDistance()).isZero();
    assertThat(p.forTenant("art").classes()).containsKeys("Porn", "Sexy", "Drawing");
  }

  @Test
  void anUnknownTenantGetsTheDefault() {
    ImagePolicy p = TenantPolicies.fromJson(JSON).forTenant("nobody");
    assertThat(p.name()).isEqualTo("default");
    assertThat(p.classes()).containsOnlyKeys("Porn", "Sexy");
  }

  @Test
  void theShippedDefaultLoads() {
    ImagePolicy p = TenantPolicies.loadDefault().forTenant("anyone");
    assertThat(p.classes()).containsKeys("Porn", "Hentai", "Sexy");
    assertThat(p.blockList()).isEqualTo(Action.REJECT);
  }

  @Test
  void thePromptStaysOutOfTheCredentialsUnlessTheTenantsPolicySaysSo() {
    String json = JSON.replace("\"art\": {", "\"art\": {\"promptInCredentials\": true, ");
    TenantPolicies p = TenantPolicies.fromJson(json);
    assertThat(p.forTenant("art").promptInCredentials()).isTrue();
    assertThat(p.forTenant("kids").promptInCredentials()).isFalse();
    assertThat(p.forTenant("nobody").promptInCredentials()).isFalse();
    assertThat(TenantPolicies.loadDefault().forTenant("anyone").promptInCredentials()).isFalse();
    String notABoolean = json.replace("\"promptInCredentials\": true", "\"promptInCredentials\": \"yes\"");
    assertThatThrownBy(() -> TenantPolicies.fromJson(notABoolean))
        .hasMessage("tenants.art.promptInCredentials: must be true or false, got \"yes\"");
  }

  @Test
  void errorsNameTheFieldAndWhatIsAllowed() {
    assertThatThrownBy(() -> TenantPolicies.fromJson(JSON.replace("\"flag\"}}, \"near", "\"block\"}}, \"near")))
        .hasMessage("tenants.art.classes.Drawing.action: must be \"reject\" or \"flag\", got \"block\"");
    assertThatThrownBy(() -> TenantPolicies.fromJson(JSON.replace("0.3", "1.5")))
        .hasMessage("tenants.kids.classes.Sexy.threshold: must be a number from 0 to 1, got 1.5");
    assertThatThrownBy(() -> TenantPolicies.fromJson("{\"version\": \"1\", \"default\": {\"clases\": {}}}"))
        .hasMessageStartingWith("default.clases: unknown field; allowed:");
    assertThatThrownBy(() -> TenantPolicies.fromJson("{\"default\": {}}"))
        .hasMessage("version: required, a non-empty string");
    assertThatThrownBy(() -> TenantPolicies.fromJson("not json")).hasMessageStartingWith("image policy is not valid JSON");
  }
}
