package org.elasticdepth.runtime.bundle;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Where a bundle's files come from: a directory (memory-mapped), a zip, in-memory buffers, or
 * (in runtime-android) an APK's assets. Implementations return read-only views; {@link Bundle}
 * checks sizes and hashes, so sources stay dumb.
 */
public interface BundleSource extends Closeable {
  /** The file's bytes, or {@code null} if the bundle has no such file. */
  ByteBuffer read(String fileName) throws IOException;

  /** Human-readable location for error messages. */
  String describe();

  @Override
  default void close() throws IOException {}

  /** Files of a directory, memory-mapped so TFLite can use them without a copy. */
  static BundleSource directory(File dir) {
    return new BundleSource() {
      @Override
      public ByteBuffer read(String fileName) throws IOException {
        File file = new File(dir, fileName);
        if (!file.isFile()) {
          return null;
        }
        if (fileName.endsWith(".json")) {
          return ByteBuffer.wrap(readAll(new FileInputStream(file)));
        }
        try (RandomAccessFile raf = new RandomAccessFile(file, "r"); FileChannel channel = raf.getChannel()) {
          // The mapping stays valid after the channel is closed.
          return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.nativeOrder());
        }
      }

      @Override
      public String describe() {
        return dir.getPath();
      }
    };
  }

  /**
   * Entries of a zip, at the root or under one top-level folder. Graphs are copied into direct
   * buffers because zip entries may be compressed.
   */
  static BundleSource zip(File zipFile) throws IOException {
    ZipFile zip = new ZipFile(zipFile);
    String prefix = "";
    if (zip.getEntry(BundleManifest.FILE_NAME) == null) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        if (e.getName().endsWith("/" + BundleManifest.FILE_NAME) && e.getName().indexOf('/') == e.getName().lastIndexOf('/')) {
          prefix = e.getName().substring(0, e.getName().indexOf('/') + 1);
          break;
        }
      }
    }
    String root = prefix;
    return new BundleSource() {
      @Override
      public ByteBuffer read(String fileName) throws IOException {
        ZipEntry entry = zip.getEntry(root + fileName);
        if (entry == null || entry.isDirectory()) {
          return null;
        }
        byte[] bytes = readAll(zip.getInputStream(entry));
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
        direct.put(bytes);
        ((Buffer) direct).flip(); // via Buffer: ByteBuffer.flip() is missing before API 26 when built with --release 17
        return direct;
      }

      @Override
      public String describe() {
        return zipFile.getPath();
      }

      @Override
      public void close() throws IOException {
        zip.close();
      }
    };
  }

  /** Files already in memory, keyed by file name (e.g. read from Android assets). */
  static BundleSource buffers(Map<String, ByteBuffer> files) {
    Map<String, ByteBuffer> copy = new HashMap<>(files);
    return new BundleSource() {
      @Override
      public ByteBuffer read(String fileName) {
        ByteBuffer b = copy.get(fileName);
        return b == null ? null : b.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
      }

      @Override
      public String describe() {
        return "in-memory bundle " + copy.keySet();
      }
    };
  }

  /** Reads a stream to its end and closes it. */
  static byte[] readAll(InputStream in) throws IOException {
    try (InputStream stream = in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[64 * 1024];
      for (int n; (n = stream.read(chunk)) > 0; ) {
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    }
  }
}
