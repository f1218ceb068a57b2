package dev.kiln.ingest.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
  @Test
  void fillsEachPlaceholderFromTheRow() {
    Template template = Template.parse("studio photo of a {colour} {product} on a {background} background");

    assertThat(template.fill(Map.of("colour", "red", "product", "mug", "background", "white")))
        .isEqualTo("studio photo of a red mug on a white background");
    assertThat(template.placeholders()).containsExactly("colour", "product", "background");
  }

  @Test
  void listsAPlaceholderUsedTwiceOnceAndFillsBoth() {
    Template template = Template.parse("{a} and {b} and {a}");

    assertThat(template.placeholders()).containsExactly("a", "b");
    assertThat(template.fill(Map.of("a", "x", "b", "y"))).isEqualTo("x and y and x");
  }

  @Test
  void doubledBracesAreLiteralBraces() {
    Template template = Template.parse("{{logo}} on a {colour} }}shirt{{");

    assertThat(template.placeholders()).containsExactly("colour");
    assertThat(template.fill(Map.of("colour", "red"))).isEqualTo("{logo} on a red }shirt{");
  }

  @Test
  void keepsSpacesAndCaseInPlaceholderNames() {
    Template template = Template.parse("a {Product Name}");

    assertThat(template.placeholders()).containsExactly("Product Name");
    assertThat(template.fill(Map.of("Product Name", "kettle"))).isEqualTo("a kettle");
  }

  @Test
  void bindsPlaceholdersToColumnPositions() {
    Template.Bound bound = Template.parse("{b}-{a}").bind(List.of("a", "b"));

    assertThat(bound.fill(new String[] {"1", "2"})).isEqualTo("2-1");
  }

  @Test
  void rejectsMalformedTemplatesSayingWhereAndHowToFixThem() {
    assertThatThrownBy(() -> Template.parse("a {colour mug"))
        .hasMessage("unclosed { at character 3; close the placeholder with }, or write {{ for a literal brace");
    assertThatThrownBy(() -> Template.parse("a {col{our} mug"))
        .hasMessage("unclosed { at character 3; close the placeholder with }, or write {{ for a literal brace");
    assertThatThrownBy(() -> Template.parse("a colour} mug"))
        .hasMessage("} at character 9 closes no placeholder; write }} for a literal brace");
    assertThatThrownBy(() -> Template.parse("a {} mug"))
        .hasMessage("empty placeholder {} at character 3; name a column, e.g. {colour}");
    assertThatThrownBy(() -> Template.parse("  "))
        .hasMessage("must not be empty; e.g. \"studio photo of a {colour} {product}\"");
  }

  @Test
  void bindingNamesAPlaceholderThatIsNotAColumn() {
    assertThatThrownBy(() -> Template.parse("{colour}").bind(List.of("color")))
        .hasMessage("placeholder {colour} is not a column");
  }
}
