package dev.kiln.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfiles and Kubernetes manifests against what {@code mvn package} built (an IT: it runs
 * after every module is packaged): the paths they copy and run exist, and every {@code kiln.*}
 * setting they pass is a declared option.
 */
class DeployArtifactsIT {
  @Test
  void dockerfilesAndManifestsNameOnlyWhatTheBuildProducesAndDeclares() throws Exception {
    Path repo = DeployArtifacts.repoDir();
    var dockerfiles = DeployArtifacts.files(repo.resolve("deploy/docker"), ".Dockerfile");
    var manifests = DeployArtifacts.files(repo.resolve("deploy/k8s"), ".yaml");
    assertThat(dockerfiles).hasSize(3);
    assertThat(manifests).hasSizeGreaterThanOrEqualTo(4);
    assertThat(DeployArtifacts.problems(repo, dockerfiles, manifests, DeployArtifacts.optionKeys())).isEmpty();
  }
}
