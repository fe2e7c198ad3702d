package org.elasticdepth.runtime.bundle;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.File;
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
import org.elasticdepth.runtime.bundle.BundleException.Problem;

/**
 * Where a bundle's files come from: a directory (memory-mapped), a zip, in-memory buffers, or
 * (in runtime-android) an APK's assets. Implementations return read-only views; {@link Bundle}
 * checks sizes and hashes, so sources stay dumb, except for one rule: a file larger than the
 * caller's bound is refused before it is read or mapped ({@link #read(String, long)}).
 */
public interface BundleSource extends Closeable {
  /**
   * The file's bytes, or {@code null} if the bundle has no such file. Unbounded: {@link Bundle}
   * calls {@link #read(String, long)}.
   */
  ByteBuffer read(String fileName) throws IOException;

  /** Human-readable location for error messages. */
  String describe();

  /**
   * The file's size in bytes, or -1 if the bundle has no such file. Sources that can tell it
   * without reading the file (file lengths, zip directories) override this; the default reads it.
   */
  default long size(String fileName) throws IOException {
    ByteBuffer content = read(fileName);
    return content == null ? -1 : content.remaining();
  }

  /**
   * The file's bytes, or {@code null} if there is no such file; a file of more than {@code
   * maxBytes} is refused before it is read or mapped. The default relies on {@link #size}.
   *
   * @throws BundleException {@link Problem#INTEGRITY} if the file holds more than {@code maxBytes}
   */
  default ByteBuffer read(String fileName, long maxBytes) throws IOException {
    long size = size(fileName);
    if (size < 0) {
      return null;
    }
    requireAtMost(this, fileName, size, maxBytes);
    ByteBuffer content = read(fileName);
    if (content != null) {
      requireAtMost(this, fileName, content.remaining(), maxBytes); // it may have grown meanwhile
    }
    return content;
  }

  /**
   * Whether keeping a buffer from {@link #read} costs no memory of its own: a memory mapping, or a
   * buffer the source holds anyway. {@link Bundle} then keeps each graph's buffer once it has
   * verified it and never reads or hashes that graph again; otherwise (copies, such as inflated zip
   * entries) every load reads and hashes a fresh copy, so that a released graph's memory is freed.
   */
  default boolean buffersAreFree() {
    return false;
  }

  @Override
  default void close() throws IOException {}

  /** @throws BundleException {@link Problem#INTEGRITY} if {@code size > maxBytes} */
  static void requireAtMost(BundleSource source, String fileName, long size, long maxBytes) {
    if (size > maxBytes) {
      throw new BundleException(Problem.INTEGRITY, fileName + " in " + source.describe() + " has " + size
          + " bytes, more than the " + maxBytes + " expected (refused before reading it)");
    }
  }

  /**
   * Files of a directory, memory-mapped so TFLite can use them without a copy (JSON files are
   * read). A mapping shows later changes to the file, so keep bundles where only the app can write
   * them while they are open (or open a zip, whose entries are copied).
   */
  static BundleSource directory(File dir) {
    return new BundleSource() {
      @Override
      public ByteBuffer read(String fileName) throws IOException {
        return read(fileName, Integer.MAX_VALUE);
      }

      @Override
      public long size(String fileName) {
        File file = new File(dir, fileName);
        return file.isFile() ? file.length() : -1;
      }

      @Override
      public ByteBuffer read(String fileName, long maxBytes) throws IOException {
        File file = new File(dir, fileName);
        if (!file.isFile()) {
          return null;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file, "r"); FileChannel channel = raf.getChannel()) {
          long size = channel.size();
          requireAtMost(this, fileName, size, Math.min(maxBytes, Integer.MAX_VALUE));
          if (fileName.endsWith(".json") || fileName.endsWith(".sig")) {
            byte[] bytes = new byte[(int) size];
            raf.readFully(bytes);
            return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
          }
          // The mapping stays valid after the channel is closed.
          return channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.nativeOrder());
        } catch (EOFException shrunk) {
          throw new BundleException(Problem.INTEGRITY, fileName + " in " + dir + " shrank while it was read", shrunk);
        }
      }

      @Override
      public boolean buffersAreFree() {
        return true; // mappings: the pages belong to the file and can be evicted
      }

      @Override
      public String describe() {
        return dir.getPath();
      }
    };
  }

  /**
   * Entries of a zip, at the root or under one top-level folder. Graphs are copied into direct
   * buffers because zip entries may be compressed; an entry is inflated no further than the size
   * its caller expects (a zip's directory may lie about sizes).
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
        return read(fileName, Integer.MAX_VALUE);
      }

      @Override
      public long size(String fileName) throws IOException {
        ZipEntry entry = entry(fileName);
        if (entry == null) {
          return -1;
        }
        if (entry.getSize() < 0) {
          throw new BundleException(Problem.INTEGRITY, fileName + " in " + describe() + " has no size in the zip's directory");
        }
        return entry.getSize();
      }

      @Override
      public ByteBuffer read(String fileName, long maxBytes) throws IOException {
        ZipEntry entry = entry(fileName);
        if (entry == null) {
          return null;
        }
        long bound = Math.min(maxBytes, Integer.MAX_VALUE - 8);
        if (entry.getSize() >= 0) {
          requireAtMost(this, fileName, entry.getSize(), bound);
        }
        byte[] bytes = readAtMost(zip.getInputStream(entry), bound);
        if (bytes == null) {
          throw new BundleException(Problem.INTEGRITY, fileName + " in " + describe() + " inflates to more than the "
              + bound + " bytes expected");
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
        direct.put(bytes);
        ((Buffer) direct).flip(); // via Buffer: ByteBuffer.flip() is missing before API 26 when built with --release 17
        return direct;
      }

      private ZipEntry entry(String fileName) {
        ZipEntry entry = zip.getEntry(root + fileName);
        return entry == null || entry.isDirectory() ? null : entry;
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
      public long size(String fileName) {
        ByteBuffer b = copy.get(fileName);
        return b == null ? -1 : b.remaining();
      }

      @Override
      public boolean buffersAreFree() {
        return true; // views of buffers this source holds anyway
      }

      @Override
      public String describe() {
        return "in-memory bundle " + Quote.clip(copy.keySet().toString());
      }
    };
  }

  /** Reads a stream to its end and closes it. */
  static byte[] readAll(InputStream in) throws IOException {
    byte[] bytes = readAtMost(in, Integer.MAX_VALUE - 8);
    if (bytes == null) {
      throw new IOException("stream holds more than " + (Integer.MAX_VALUE - 8) + " bytes");
    }
    return bytes;
  }

  /** Reads a stream to its end and closes it; null if it holds more than {@code maxBytes}. */
  static byte[] readAtMost(InputStream in, long maxBytes) throws IOException {
    try (InputStream stream = in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = stream.read(chunk)) > 0; ) {
        total += n;
        if (total > maxBytes) {
          return null;
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    }
  }
}
