package org.elasticdepth.runtime.bundle;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.elasticdepth.runtime.DesktopOnly;
import org.elasticdepth.runtime.bundle.BundleException.Problem;

/**
 * Writes bundles atomically (desktop side; the exporter uses it). Before anything touches the
 * disk, the files are checked against the manifest exactly as {@link Bundle} will check them when
 * reading, so a bundle that was written can be read.
 *
 * <p>Desktop only: it uses {@code java.nio.file}, which Android has from API 26.
 */
@DesktopOnly
public final class BundleWriter {
  private BundleWriter() {}

  /**
   * Writes {@code manifest} and {@code graphs} (file name -> bytes) as directory {@code out}: into
   * a temporary sibling first, then renamed. An existing {@code out} is refused unless {@code
   * force}, and is then replaced only after the new bundle is complete.
   */
  public static void writeDirectory(BundleManifest manifest, Map<String, byte[]> graphs, Path out, boolean force) {
    writeDirectory(manifest, graphs, out, force, null);
  }

  /**
   * As {@link #writeDirectory(BundleManifest, Map, Path, boolean)}, signed with {@code signingKey}
   * (an EC P-256 key) into {@link BundleSignature#FILE_NAME} when it is not null.
   */
  public static void writeDirectory(BundleManifest manifest, Map<String, byte[]> graphs, Path out, boolean force,
      PrivateKey signingKey) {
    byte[] json = checked(manifest, graphs);
    byte[] signature = signingKey == null ? null : BundleSignature.sign(json, signingKey);
    Path target = out.toAbsolutePath().normalize();
    if (Files.exists(target) && !force) {
      throw new BundleException(Problem.IO, target + " already exists; pass --force to replace it");
    }
    Path tmp = null;
    try {
      Files.createDirectories(target.getParent());
      tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
      publish(tmp, "rwxr-xr-x");
      Files.write(tmp.resolve(BundleManifest.FILE_NAME), json);
      if (signature != null) {
        Files.write(tmp.resolve(BundleSignature.FILE_NAME), signature);
      }
      for (Map.Entry<String, byte[]> e : graphs.entrySet()) {
        Files.write(tmp.resolve(e.getKey()), e.getValue());
      }
      if (Files.exists(target)) {
        Path old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
        Files.delete(old);
        move(target, old);
        move(tmp, target);
        deleteTree(old);
      } else {
        move(tmp, target);
      }
      tmp = null;
    } catch (IOException e) {
      throw new BundleException(Problem.IO, "cannot write bundle " + target + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        deleteTree(tmp);
      }
    }
  }

  /** Writes the same content as one zip file (manifest first), atomically. */
  public static void writeZip(BundleManifest manifest, Map<String, byte[]> graphs, Path zip, boolean force) {
    writeZip(manifest, graphs, zip, force, null);
  }

  /** As {@link #writeZip(BundleManifest, Map, Path, boolean)}, signed with {@code signingKey} when it is not null. */
  public static void writeZip(BundleManifest manifest, Map<String, byte[]> graphs, Path zip, boolean force,
      PrivateKey signingKey) {
    byte[] json = checked(manifest, graphs);
    byte[] signature = signingKey == null ? null : BundleSignature.sign(json, signingKey);
    Path target = zip.toAbsolutePath().normalize();
    if (Files.exists(target) && !force) {
      throw new BundleException(Problem.IO, target + " already exists; pass --force to replace it");
    }
    Path tmp = null;
    try {
      Files.createDirectories(target.getParent());
      tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
      try (OutputStream file = Files.newOutputStream(tmp); ZipOutputStream out = new ZipOutputStream(file)) {
        out.putNextEntry(new ZipEntry(BundleManifest.FILE_NAME));
        out.write(json);
        if (signature != null) {
          out.putNextEntry(new ZipEntry(BundleSignature.FILE_NAME));
          out.write(signature);
        }
        for (Map.Entry<String, byte[]> e : graphs.entrySet()) {
          out.putNextEntry(new ZipEntry(e.getKey()));
          out.write(e.getValue());
        }
      }
      publish(tmp, "rw-r--r--");
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
    } catch (IOException e) {
      throw new BundleException(Problem.IO, "cannot write bundle zip " + target + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        deleteTree(tmp);
      }
    }
  }

  /** Validates and returns the manifest's JSON bytes; the graph files must match it exactly. */
  private static byte[] checked(BundleManifest manifest, Map<String, byte[]> graphs) {
    byte[] json = ManifestJson.toJson(manifest).getBytes(StandardCharsets.UTF_8);
    Map<String, ByteBuffer> files = new LinkedHashMap<>();
    files.put(BundleManifest.FILE_NAME, ByteBuffer.wrap(json));
    graphs.forEach((name, bytes) -> files.put(name, ByteBuffer.wrap(bytes)));
    try (Bundle bundle = Bundle.fromBuffers(files)) {
      bundle.verifyAll();
      for (String name : graphs.keySet()) {
        boolean named = bundle.manifest().allGraphs().stream().anyMatch(g -> g.file().equals(name));
        if (!named) {
          throw new BundleException(Problem.INCONSISTENT, "file " + name + " is not named by the manifest");
        }
      }
    }
    return json;
  }

  /**
   * Temporary files are created private (0700/0600); a finished bundle is meant to be shared, so
   * give it the permissions of an ordinary file where the file system has POSIX permissions.
   */
  private static void publish(Path path, String permissions) throws IOException {
    if (Files.getFileStore(path).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
      Files.move(from, to);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException ignored) {
      // Best effort: a leftover hidden temporary directory is harmless and named as such.
    }
  }
}
