package org.elasticdepth.build.android;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.maven.plugin.logging.Log;

/**
 * Writes an unsigned APK: the linked resources (manifest, resources.arsc, res/, assets/ with their
 * compression kept, so .tflite stays stored), the DEX files, the native libraries as
 * {@code lib/<abi>/*.so} and the Java resources of the dexed jars (e.g. META-INF/services).
 * Alignment is left to the signer, which aligns stored entries.
 */
final class ApkAssembler {
  /** Jar entries that describe the jar itself, not the app. */
  private static final Pattern NOT_A_JAVA_RESOURCE = Pattern.compile(
      ".*\\.class|META-INF/MANIFEST\\.MF|META-INF/[^/]*\\.(SF|RSA|DSA|EC)|META-INF/maven/.*"
          + "|META-INF/versions/.*|META-INF/elasticdepth/.*|.*/$");

  private final Set<String> written = new HashSet<>();
  private final Log log;

  ApkAssembler(Log log) {
    this.log = log;
  }

  void write(Path resourcesApk, Path dexDir, List<Path> nativeLibDirs, List<Path> jars, Path out)
      throws IOException {
    Zips.writeAtomically(out, zip -> {
      copyResources(resourcesApk, zip);
      for (Path dex : Zips.regularFiles(dexDir)) {
        put(zip, dexDir.relativize(dex).toString(), dex);
      }
      for (Path dir : nativeLibDirs) {
        for (Path so : Zips.regularFiles(dir)) {
          if (so.getFileName().toString().endsWith(".so")) {
            put(zip, "lib/" + dir.relativize(so).toString().replace('\\', '/'), so);
          }
        }
      }
      for (Path jar : jars) {
        copyJavaResources(jar, zip);
      }
    });
  }

  private void copyResources(Path resourcesApk, ZipOutputStream zip) throws IOException {
    try (ZipFile in = new ZipFile(resourcesApk.toFile())) {
      for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        if (entry.isDirectory() || !written.add(entry.getName())) {
          continue;
        }
        try (InputStream data = in.getInputStream(entry)) {
          if (entry.getMethod() == ZipEntry.STORED) {
            Zips.putStored(zip, entry.getName(), data.readAllBytes());
          } else {
            Zips.putStream(zip, entry.getName(), data);
          }
        }
      }
    }
  }

  private void copyJavaResources(Path jar, ZipOutputStream zip) throws IOException {
    try (ZipFile in = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        if (NOT_A_JAVA_RESOURCE.matcher(entry.getName()).matches()) {
          continue;
        }
        if (!written.add(entry.getName())) {
          log.debug("APK: keeping the first " + entry.getName() + ", skipping the one in " + jar);
          continue;
        }
        try (InputStream data = in.getInputStream(entry)) {
          Zips.putStream(zip, entry.getName(), data);
        }
      }
    }
  }

  private void put(ZipOutputStream zip, String name, Path file) throws IOException {
    if (!written.add(name)) {
      log.warn("APK: " + name + " is provided twice; keeping the first, skipping " + file);
      return;
    }
    Zips.putFile(zip, name, file);
  }
}
