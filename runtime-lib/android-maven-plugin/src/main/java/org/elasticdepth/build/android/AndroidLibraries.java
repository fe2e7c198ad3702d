package org.elasticdepth.build.android;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.maven.artifact.Artifact;

/**
 * Finds the Android libraries among a module's dependencies and unpacks them once.
 *
 * <p>Two shapes count as an Android library: a dependency of type {@code aar}, and a jar
 * dependency with an {@code .aar} beside it (how runtime-lib/android publishes: its classes in
 * the jar, its manifest and resources in the aar). For the second, D8 takes the classes from the
 * jar, so the aar's copy is not used.
 */
final class AndroidLibraries {
  /** Marker in jars that only re-package the classes of AARs (see {@link AarClassesMojo}). */
  static final String WRAPPER_MARKER = "META-INF/elasticdepth/aar-classes.txt";

  private final Path unpackRoot;

  AndroidLibraries(Path unpackRoot) {
    this.unpackRoot = unpackRoot;
  }

  static boolean isAar(Artifact a) {
    return "aar".equals(a.getType());
  }

  /** The {@code .aar} published beside a jar artifact, if there is one. */
  static Optional<Path> siblingAar(Artifact a) {
    if (a.getFile() == null || !a.getFile().getName().endsWith(".jar")) {
      return Optional.empty();
    }
    Path jar = a.getFile().toPath();
    String name = jar.getFileName().toString();
    Path aar = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".aar");
    return Files.isRegularFile(aar) ? Optional.of(aar) : Optional.empty();
  }

  List<AndroidLibrary> unpack(Collection<Artifact> artifacts) throws IOException {
    List<AndroidLibrary> libraries = new ArrayList<>();
    for (Artifact a : artifacts) {
      if (isAar(a)) {
        Path dir = unpack(a, a.getFile().toPath());
        Path classes = dir.resolve("classes.jar");
        libraries.add(new AndroidLibrary(a.getId(), dir,
            Files.isRegularFile(classes) ? Optional.of(classes) : Optional.empty()));
      } else {
        Optional<Path> aar = siblingAar(a);
        if (aar.isPresent()) {
          libraries.add(new AndroidLibrary(a.getId(), unpack(a, aar.get()), Optional.empty()));
        }
      }
    }
    return libraries;
  }

  /** Unpacks into a directory named after the coordinates; skipped while the aar is unchanged. */
  private Path unpack(Artifact a, Path aar) throws IOException {
    Path dir = unpackRoot.resolve(a.getGroupId() + "-" + a.getArtifactId() + "-" + a.getBaseVersion());
    Path stamp = dir.resolve(".unpacked");
    if (Files.isRegularFile(stamp)
        && Files.getLastModifiedTime(stamp).compareTo(Files.getLastModifiedTime(aar)) >= 0) {
      return dir;
    }
    Mojos.deleteRecursively(dir);
    Zips.unzip(aar, dir);
    Files.writeString(stamp, aar.toString());
    return dir;
  }
}
