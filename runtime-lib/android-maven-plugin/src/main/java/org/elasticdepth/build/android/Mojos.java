package org.elasticdepth.build.android;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.project.MavenProject;

/** Helpers shared by the goals. */
final class Mojos {
  /** Scopes whose artifacts are packaged into an APK. */
  static final Set<String> PACKAGED_SCOPES = Set.of(Artifact.SCOPE_COMPILE, Artifact.SCOPE_RUNTIME);

  private Mojos() {}

  static List<Artifact> artifactsInScopes(MavenProject project, Set<String> scopes) {
    return project.getArtifacts().stream().filter(a -> scopes.contains(a.getScope())).toList();
  }

  /** The platform jar everything is compiled and linked against. */
  static Path androidPlatformJar(MavenProject project) throws MojoExecutionException {
    return project.getArtifacts().stream()
        .filter(a -> "org.robolectric".equals(a.getGroupId()) && "android-all".equals(a.getArtifactId()))
        .map(a -> a.getFile().toPath())
        .findFirst()
        .orElseThrow(() -> new MojoExecutionException(project.getArtifactId()
            + " has no Android platform jar: add the dependency org.robolectric:android-all"
            + " (version and scope provided come from the root pom)"));
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
