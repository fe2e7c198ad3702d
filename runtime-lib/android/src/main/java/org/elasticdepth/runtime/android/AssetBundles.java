package org.elasticdepth.runtime.android;

import android.content.Context;
import android.content.res.AssetFileDescriptor;
import android.content.res.AssetManager;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleSource;

/**
 * Opens bundles packaged in an APK's {@code assets/}.
 *
 * <p>Graphs stored uncompressed (the apps' build passes {@code aapt2 link -0 tflite}) are
 * memory-mapped straight from the APK: no copy, and the pages are shared and evictable, so they
 * barely count against the app's memory. A compressed graph still works but is inflated into a
 * direct buffer, costing its full size in native memory.
 */
public final class AssetBundles {
  private AssetBundles() {}

  /**
   * Opens the bundle in {@code assets/<dir>/} ({@code dir} may be empty for the assets root).
   *
   * @throws BundleException if the manifest is missing or invalid or a graph file is missing or of
   *     the wrong size (hashes are checked when graphs are used, see {@link Bundle#graph})
   * @throws IllegalArgumentException if {@code dir} is null or contains {@code .} or {@code ..}
   */
  public static Bundle fromAssets(Context context, String dir) {
    return fromAssets(context.getAssets(), dir);
  }

  /** As {@link #fromAssets(Context, String)}, from an {@link AssetManager}. */
  public static Bundle fromAssets(AssetManager assets, String dir) {
    return Bundle.open(source(assets, dir));
  }

  /** The {@link BundleSource} behind {@link #fromAssets}, for callers composing their own loading. */
  public static BundleSource source(AssetManager assets, String dir) {
    if (assets == null) {
      throw new IllegalArgumentException("assets must not be null");
    }
    return source(new PlatformAssets(assets), dir);
  }

  static BundleSource source(Assets assets, String dir) {
    String prefix = normalise(dir);
    return new BundleSource() {
      @Override
      public ByteBuffer read(String fileName) throws IOException {
        return read(fileName, Integer.MAX_VALUE - 8);
      }

      @Override
      public long size(String fileName) throws IOException {
        String path = prefix + fileName;
        try {
          return assets.length(path);
        } catch (FileNotFoundException compressedOrMissing) {
          // Count a compressed asset by inflating it without keeping it (apps store graphs uncompressed).
          return countBytes(assets, path);
        }
      }

      @Override
      public ByteBuffer read(String fileName, long maxBytes) throws IOException {
        String path = prefix + fileName;
        if (fileName.endsWith(".json") || fileName.endsWith(".sig")) {
          return readFully(assets, path, false, maxBytes);
        }
        long length;
        try {
          length = assets.length(path);
        } catch (FileNotFoundException compressedOrMissing) {
          // openFd refuses compressed assets with the same exception it uses for missing ones.
          return readFully(assets, path, true, maxBytes);
        }
        BundleSource.requireAtMost(this, fileName, length, maxBytes);
        return assets.map(path).order(ByteOrder.nativeOrder());
      }

      @Override
      public boolean buffersAreFree() {
        return true; // mappings of the read-only APK (a compressed graph's copy is kept like the mapping would be)
      }

      @Override
      public String describe() {
        return "assets/" + prefix;
      }
    };
  }

  /** "", "bundle", "bundle/", "/bundle/" -> "" or "bundle/"; rejects "." and "..", which assets cannot resolve. */
  static String normalise(String dir) {
    if (dir == null) {
      throw new IllegalArgumentException("asset directory must not be null (use \"\" for the assets root)");
    }
    String d = dir.trim();
    while (d.startsWith("/")) {
      d = d.substring(1);
    }
    while (d.endsWith("/")) {
      d = d.substring(0, d.length() - 1);
    }
    for (String part : d.split("/")) {
      if (part.equals("..") || part.equals(".")) {
        throw new IllegalArgumentException("asset directory '" + dir + "' must not contain '.' or '..'");
      }
    }
    return d.isEmpty() ? "" : d + "/";
  }

  /** The length of a streamed (compressed) asset, counted without keeping it; -1 if there is none. */
  private static long countBytes(Assets assets, String path) throws IOException {
    InputStream in;
    try {
      in = assets.open(path);
    } catch (FileNotFoundException missing) {
      return -1;
    }
    long count = 0;
    try (InputStream stream = in) {
      byte[] chunk = new byte[64 * 1024];
      for (int n; (n = stream.read(chunk)) > 0; ) {
        count += n;
      }
    }
    return count;
  }

  /**
   * The whole asset in a buffer ({@code direct} for graphs TFLite reads), or null if there is none;
   * refused as soon as it exceeds {@code maxBytes}.
   */
  private static ByteBuffer readFully(Assets assets, String path, boolean direct, long maxBytes) throws IOException {
    InputStream in;
    try {
      in = assets.open(path);
    } catch (FileNotFoundException missing) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream stream = in) {
      byte[] chunk = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = stream.read(chunk)) > 0; ) {
        total += n;
        if (total > maxBytes) {
          throw new BundleException(BundleException.Problem.INTEGRITY, path + " in assets has more than the "
              + maxBytes + " bytes expected");
        }
        out.write(chunk, 0, n);
      }
    }
    byte[] bytes = out.toByteArray();
    ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(bytes.length) : ByteBuffer.allocate(bytes.length);
    buffer.order(ByteOrder.nativeOrder()).put(bytes);
    ((Buffer) buffer).flip(); // through Buffer: ByteBuffer.flip() does not exist before Android 8
    return buffer;
  }

  /** The two ways to get an asset's bytes; an interface so the fallback between them is testable. */
  interface Assets {
    /** Maps an uncompressed asset; {@link FileNotFoundException} if it is compressed or missing. */
    ByteBuffer map(String path) throws IOException;

    /**
     * The length of an uncompressed asset, without mapping it; {@link FileNotFoundException} if it
     * is compressed or missing. The default maps it.
     */
    default long length(String path) throws IOException {
      return map(path).remaining();
    }

    /** Streams an asset; {@link FileNotFoundException} if it is missing. */
    InputStream open(String path) throws IOException;
  }

  private static final class PlatformAssets implements Assets {
    private final AssetManager assets;

    PlatformAssets(AssetManager assets) {
      this.assets = assets;
    }

    @Override
    public ByteBuffer map(String path) throws IOException {
      try (AssetFileDescriptor fd = assets.openFd(path);
          FileInputStream in = new FileInputStream(fd.getFileDescriptor());
          FileChannel channel = in.getChannel()) {
        // An uncompressed asset is a byte range of the APK; the mapping outlives the descriptor.
        return channel.map(FileChannel.MapMode.READ_ONLY, fd.getStartOffset(), fd.getDeclaredLength());
      }
    }

    @Override
    public long length(String path) throws IOException {
      try (AssetFileDescriptor fd = assets.openFd(path)) {
        return fd.getDeclaredLength();
      }
    }

    @Override
    public InputStream open(String path) throws IOException {
      return assets.open(path, AssetManager.ACCESS_STREAMING);
    }
  }
}
