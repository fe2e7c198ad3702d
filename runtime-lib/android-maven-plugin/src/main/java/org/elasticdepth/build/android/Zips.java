package org.elasticdepth.build.android;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Small zip helpers; every archive is written to a temporary name and then renamed. */
final class Zips {
  /** Fixed entry time, so that unchanged inputs give byte-identical archives. */
  static final long ENTRY_TIME = 315_532_800_000L + 86_400_000L; // 1980-01-02

  private Zips() {}

  /** Extracts {@code archive} into {@code dest}, refusing entries that would escape it. */
  static void unzip(Path archive, Path dest) throws IOException {
    Files.createDirectories(dest);
    Path root = dest.toAbsolutePath().normalize();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(archive))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        Path target = root.resolve(e.getName()).normalize();
        if (!target.startsWith(root)) {
          throw new IOException(archive + " has an entry outside the archive root: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /**
   * Jars the regular files under {@code dir} (paths relative to it) into {@code archive}; a missing
   * or empty directory gives a jar with just a manifest (a zip needs at least one entry).
   */
  static void zipDirectory(Path dir, Path archive) throws IOException {
    List<Path> files = regularFiles(dir);
    writeAtomically(archive, out -> {
      if (!Files.exists(dir.resolve("META-INF/MANIFEST.MF"))) {
        putStream(out, "META-INF/MANIFEST.MF",
            new java.io.ByteArrayInputStream("Manifest-Version: 1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      }
      for (Path f : files) {
        putFile(out, dir.relativize(f).toString().replace('\\', '/'), f);
      }
    });
  }

  static List<Path> regularFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var walk = Files.walk(dir)) {
      List<Path> files = new ArrayList<>(walk.filter(Files::isRegularFile).sorted().toList());
      return files;
    }
  }

  static boolean contains(Path archive, String entry) throws IOException {
    if (Files.isDirectory(archive)) {
      return Files.exists(archive.resolve(entry));
    }
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      return zip.getEntry(entry) != null;
    }
  }

  static void putFile(ZipOutputStream out, String name, Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      putStream(out, name, in);
    }
  }

  static void putStream(ZipOutputStream out, String name, InputStream in) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setTime(ENTRY_TIME);
    out.putNextEntry(entry);
    in.transferTo(out);
    out.closeEntry();
  }

  /** Stores {@code data} uncompressed (needed for entries the platform memory-maps). */
  static void putStored(ZipOutputStream out, String name, byte[] data) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setTime(ENTRY_TIME);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(data.length);
    entry.setCompressedSize(data.length);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(data);
    entry.setCrc(crc.getValue());
    out.putNextEntry(entry);
    out.write(data);
    out.closeEntry();
  }

  interface ZipWriter {
    void write(ZipOutputStream out) throws IOException;
  }

  static void writeAtomically(Path archive, ZipWriter writer) throws IOException {
    Files.createDirectories(archive.toAbsolutePath().getParent());
    Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp");
    try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream out = new ZipOutputStream(os)) {
      writer.write(out);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
