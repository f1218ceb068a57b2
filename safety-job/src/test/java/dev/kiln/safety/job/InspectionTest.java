package dev.kiln.safety.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.safety.gallery.internal.Thumbnails.Thumbnail;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.Verdict;
import java.io.IOException;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class InspectionTest {
  @Test
  void travelsThroughFlinksPojoSerializerWithItsThumbnail() throws IOException {
    TypeInformation<Inspection> type = TypeInformation.of(Inspection.class);
    assertThat(type).isInstanceOf(PojoTypeInfo.class);
    byte[] png = ModeratorTest.png(8, 8);
    Verdict verdict = Verdict.newBuilder().setDecision(Decision.APPROVED).setReason("").setPolicyName("default")
        .setPolicyVersion("1").setScores(Map.of()).build();
    Inspection in = Inspection.judged(ModeratorTest.image(png, "a red circle", 8, 8), verdict, png, 12,
        new Thumbnail(new byte[] {4, 5, 6}, "image/jpeg", 3, 1));
    var serializer = type.createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(1024);
    serializer.serialize(in, out);

    Inspection copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

    assertThat(copy.image).isEqualTo(in.image);
    assertThat(copy.png).isEqualTo(png);
    assertThat(copy.thumbnail.bytes()).containsExactly(4, 5, 6);
    assertThat(copy.thumbnail.width()).isEqualTo(3);
  }
}
