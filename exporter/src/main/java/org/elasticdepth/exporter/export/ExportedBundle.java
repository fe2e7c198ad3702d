package org.elasticdepth.exporter.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleWriter;

/**
 * A bundle in memory: its manifest and its graph files (file name -> bytes), ready to be written
 * atomically as a directory and/or one zip.
 */
public record ExportedBundle(BundleManifest manifest, Map<String, byte[]> files) {
  public ExportedBundle {
    files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
  }

  /** Total bytes of the graph files. */
  public long graphBytes() {
    return files.values().stream().mapToLong(b -> b.length).sum();
  }

  /**
   * Writes the bundle directory {@code dir} and, when {@code zip} is non-null, the zip too. Both
   * targets are checked before either is written, so a refusal leaves the disk untouched; each is
   * written to a temporary name and renamed, so nothing is ever half-overwritten.
   *
   * @throws BundleException if a target exists and {@code force} is false, or on I/O errors
   */
  public void write(Path dir, Path zip, boolean force) {
    write(dir, zip, force, null);
  }

  /**
   * As {@link #write(Path, Path, boolean)}, each copy signed with {@code signingKey} (EC P-256) into
   * manifest.json.sig when it is not null.
   */
  public void write(Path dir, Path zip, boolean force, PrivateKey signingKey) {
    if (!force) {
      for (Path target : zip == null ? new Path[] {dir} : new Path[] {dir, zip}) {
        if (Files.exists(target)) {
          throw new BundleException(BundleException.Problem.IO, target + " already exists; pass --force to replace it");
        }
      }
    }
    BundleWriter.writeDirectory(manifest, files, dir, force, signingKey);
    if (zip != null) {
      BundleWriter.writeZip(manifest, files, zip, force, signingKey);
    }
  }
}
