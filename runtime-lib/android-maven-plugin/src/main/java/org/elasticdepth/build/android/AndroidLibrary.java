package org.elasticdepth.build.android;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An unpacked Android library (an AAR): what it contributes to an app besides Java classes.
 *
 * @param id         the Maven coordinates it came from, for messages
 * @param dir        the directory the AAR was unpacked to
 * @param classesJar its classes, or empty when the same classes reach D8 through a jar dependency
 */
record AndroidLibrary(String id, Path dir, Optional<Path> classesJar) {

  Path manifest() {
    return dir.resolve("AndroidManifest.xml");
  }

  /** Resource directory, only when the library has resources. */
  Optional<Path> res() {
    return nonEmptyDir(dir.resolve("res"));
  }

  Optional<Path> assets() {
    return nonEmptyDir(dir.resolve("assets"));
  }

  /** Native libraries, laid out as {@code jni/<abi>/lib*.so}. */
  Optional<Path> jni() {
    return nonEmptyDir(dir.resolve("jni"));
  }

  static Optional<Path> nonEmptyDir(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (var entries = Files.list(dir)) {
      return entries.findAny().isPresent() ? Optional.of(dir) : Optional.empty();
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }
}
