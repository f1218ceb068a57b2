package dev.kiln.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.ingest.internal.CsvParser.Record;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvParserTest {
  private static List<Record> parse(String text) throws IOException {
    CsvParser parser = new CsvParser(new StringReader(text));
    List<Record> records = new ArrayList<>();
    for (Record r = parser.next(); r != null; r = parser.next()) {
      records.add(r);
    }
    return records;
  }

  private static List<List<String>> fields(String text) throws IOException {
    return parse(text).stream().map(r -> List.of(r.fields())).toList();
  }

  @Test
  void splitsOnCommasAndLineBreaks() throws IOException {
    assertThat(fields("a,b,c\n1,2,3\n")).containsExactly(List.of("a", "b", "c"), List.of("1", "2", "3"));
  }

  @Test
  void quotedFieldsHoldCommasQuotesAndLineBreaks() throws IOException {
    assertThat(fields("sku,name\nA-1,\"mug, large\"\nA-2,\"the \"\"best\"\" kettle\"\nA-3,\"two\nlines\"\n"))
        .containsExactly(List.of("sku", "name"), List.of("A-1", "mug, large"),
            List.of("A-2", "the \"best\" kettle"), List.of("A-3", "two\nlines"));
  }

  @Test
  void numbersRecordsByTheLineTheyStartOnAcrossEmbeddedLineBreaks() throws IOException {
    List<Record> records = parse("h1,h2\n\"a\nb\nc\",x\n\nlast,row");

    assertThat(records).extracting(Record::line).containsExactly(1, 2, 6);
  }

  @Test
  void acceptsCrlfAndCrLineEndingsAndTurnsBreaksInsideQuotesIntoLf() throws IOException {
    assertThat(fields("a,b\r\n1,\"x\r\ny\"\r\n2,z\r3,w")).containsExactly(
        List.of("a", "b"), List.of("1", "x\ny"), List.of("2", "z"), List.of("3", "w"));
  }

  @Test
  void keepsEmptyFieldsAndALastRecordWithoutLineBreak() throws IOException {
    assertThat(fields("a,,c\n,,\n\"\",x,")).containsExactly(
        List.of("a", "", "c"), List.of("", "", ""), List.of("", "x", ""));
  }

  @Test
  void dropsAByteOrderMarkAndSkipsBlankLines() throws IOException {
    assertThat(fields("\uFEFFsku,colour\n\n\r\nA-1,red\n\n")).containsExactly(
        List.of("sku", "colour"), List.of("A-1", "red"));
  }

  @Test
  void keepsAQuoteInsideAnUnquotedFieldAsACharacter() throws IOException {
    assertThat(fields("a,5\" screen,b\n")).containsExactly(List.of("a", "5\" screen", "b"));
  }

  @Test
  void flagsTextAfterAClosingQuoteAndReadsOn() throws IOException {
    List<Record> records = parse("a,\"b\"c,d\nnext,row,ok\n");

    assertThat(records.get(0).fields()).containsExactly("a", "b", "d");
    assertThat(records.get(0).problemColumn()).isEqualTo(2);
    assertThat(records.get(1).fields()).containsExactly("next", "row", "ok");
    assertThat(records.get(1).problemColumn()).isZero();
  }

  @Test
  void failsOnAQuoteStillOpenAtTheEndNamingWhereItOpened() {
    assertThatThrownBy(() -> parse("a,b\n1,\"never\nclosed,2\n3,4\n"))
        .isInstanceOfSatisfying(MalformedCatalogueException.class, e -> {
          assertThat(e.line()).isEqualTo(2);
          assertThat(e.column()).isEqualTo(2);
        })
        .hasMessage("quoted field never closed: the file ends inside it; close it with \"");
  }

  @Test
  void readsFieldsLongerThanItsBuffer() throws IOException {
    String longValue = "x".repeat(200_000);

    assertThat(fields("a,b\n\"" + longValue + "\",2\n").get(1)).containsExactly(longValue, "2");
  }
}
