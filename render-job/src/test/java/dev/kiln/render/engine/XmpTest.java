package dev.kiln.render.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

class XmpTest {
  private static Document parse(String xml) throws ParserConfigurationException, IOException, SAXException {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
  }

  @Test
  void declaresTrainedAlgorithmicMediaAsIptcDigitalSourceType() throws Exception {
    Document doc = parse(Xmp.trainedAlgorithmicMedia(Map.of()));
    assertThat(doc.getElementsByTagNameNS("http://iptc.org/std/Iptc4xmpExt/2008-02-29/", "DigitalSourceType")
        .item(0).getTextContent())
        .isEqualTo("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia");
  }

  @Test
  void carriesPropertiesEscapedAndInKeyOrder() throws Exception {
    String xmp = Xmp.trainedAlgorithmicMedia(Map.of("seed", "7", "prompt", "fish & <chips> \"now\""));
    Document doc = parse(xmp);
    assertThat(doc.getElementsByTagNameNS(Xmp.KILN_NS, "prompt").item(0).getTextContent())
        .isEqualTo("fish & <chips> \"now\"");
    assertThat(xmp.indexOf("<kiln:prompt>")).isLessThan(xmp.indexOf("<kiln:seed>"));
  }

  @Test
  void rejectsPropertyNameThatIsNotAnXmlName() {
    assertThatThrownBy(() -> Xmp.trainedAlgorithmicMedia(Map.of("1st prompt", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'1st prompt' is not an XML name");
  }
}
