package dev.kiln.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployArtifactsTest {
  @Test
  void reportsAMissingPathAForeignJarAnUnknownKeyAndBadYaml(@TempDir Path repo) throws IOException {
    Files.createDirectories(repo.resolve("models/m"));
    Path dockerfile = Files.writeString(repo.resolve("a.Dockerfile"), """
        FROM flink:2.2.1-java17
        COPY models/m /opt/kiln/models/m
        COPY job/target/job.jar /opt/flink/usrlib/job.jar
        """);
    Path manifest = Files.writeString(repo.resolve("a.yaml"), """
        kind: FlinkDeployment
        spec:
          flinkConfiguration:
            kiln.render.batch-size: "8"
          job:
            jarURI: local:///opt/flink/usrlib/other.jar
            args:
              - kiln.kafka.bootstrap-servers=kafka:9092
              - kiln.render.bach-size=8
        """);
    Path broken = Files.writeString(repo.resolve("b.yaml"), "spec: [unclosed\n");
    List<String> problems = DeployArtifacts.problems(repo, List.of(dockerfile), List.of(manifest, broken),
        Set.of("kiln.kafka.bootstrap-servers", "kiln.render.batch-size"));
    assertThat(problems).containsExactly(
        "a.Dockerfile: COPY job/target/job.jar: no such path (build output: run mvn -B package first)",
        "a.yaml: local:///opt/flink/usrlib/other.jar is not a path any Dockerfile copies to "
            + "[/opt/flink/usrlib/job.jar, /opt/kiln/models/m]",
        "a.yaml: kiln.render.bach-size is not an option of any *Options class",
        problems.get(3));
    assertThat(problems.get(3)).startsWith("b.yaml: not valid YAML");
  }

  @Test
  void findsTheOptionsOfEveryModule() throws IOException {
    assertThat(DeployArtifacts.optionKeys()).contains("kiln.kafka.bootstrap-servers", "kiln.render.batch-size",
        "kiln.safety.workers", "kiln.s3.bucket");
  }
}
