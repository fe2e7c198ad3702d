package org.elasticdepth.runtime.desktop;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.ManifestJson;

/**
 * The bundles shipped as test fixtures in this module's test-jar (classpath {@code bundles/NAME/}),
 * usable from any module that depends on {@code runtime-desktop:test-jar}.
 *
 * <p>{@code tiny}: depth 3, dim 16, 2 heads, MLP 32, 28x28x1 input in 7x7 patches (17 tokens), the
 * 10 Fashion-MNIST labels, a calibration section and full.tflite. How they are made: bundles/README.md.
 */
public final class TestBundles {
  public static final String TINY = "tiny";
  /** Random-weight tiny model in fp32 and fp16 (manifest format 2), without full graphs. */
  public static final String TINY_FP32_FP16 = "tiny-fp32-fp16";
  /** Number of Fashion-MNIST test images in {@code bundles/samples-*-ubyte}. */
  public static final int SAMPLE_COUNT = 64;

  private TestBundles() {}

  /** Every file of bundle {@code name} (manifest first), read from the classpath into direct buffers. */
  public static Map<String, ByteBuffer> buffers(String name) {
    Map<String, ByteBuffer> files = new LinkedHashMap<>();
    bytes(name).forEach((file, content) -> files.put(file, direct(content)));
    return files;
  }

  /** Every file of bundle {@code name} (manifest first), read from the classpath; a fresh, mutable map. */
  public static Map<String, byte[]> bytes(String name) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    byte[] json = read(name, BundleManifest.FILE_NAME);
    files.put(BundleManifest.FILE_NAME, json);
    BundleManifest manifest = ManifestJson.parse(new String(json, StandardCharsets.UTF_8));
    for (BundleManifest.Graph g : manifest.allGraphs()) { // every precision's graphs
      files.put(g.file(), read(name, g.file()));
    }
    return files;
  }

  /** Copies bundle {@code name} into {@code dir} (created if needed) and returns {@code dir}. */
  public static Path copyTo(String name, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : bytes(name).entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
    return dir;
  }

  /**
   * The sample images (the first 64 Fashion-MNIST test images) as uint8 pixels, image after image,
   * 28 x 28 each, from {@code bundles/samples-images-idx3-ubyte}.
   */
  public static byte[] samplePixels() {
    byte[] idx = resource("samples-images-idx3-ubyte");
    return java.util.Arrays.copyOfRange(idx, 16, idx.length); // magic, count, rows, cols
  }

  /** Labels of {@link #samplePixels()}, from {@code bundles/samples-labels-idx1-ubyte}. */
  public static int[] sampleLabels() {
    byte[] idx = resource("samples-labels-idx1-ubyte");
    int[] labels = new int[idx.length - 8];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = idx[8 + i];
    }
    return labels;
  }

  /** The (grey) samples preprocessed as {@code input} says: {@code (pixel * scale - mean) / std}, NHWC floats. */
  public static float[] sampleImages(BundleManifest.Input input) {
    byte[] pixels = samplePixels();
    float[] images = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      images[i] = ((pixels[i] & 0xff) * input.scale() - input.mean()[0]) / input.std()[0];
    }
    return images;
  }

  /**
   * {@code bundles/NAME.expected.json}: per sample ({@code index}, {@code label}) and per layer the
   * {@code prediction}, {@code confidence} (max softmax) and {@code logits} that desktop TFLite
   * computes through stem -> blocks -> head. {@code manifestSha256} names the bundle it belongs to.
   */
  public static String expectedJson(String name) {
    return new String(resource(name + ".expected.json"), StandardCharsets.UTF_8);
  }

  /** Any file under {@code bundles/} on the classpath. */
  public static byte[] resource(String path) {
    return read("", path);
  }

  private static byte[] read(String bundle, String file) {
    String resource = "/bundles/" + (bundle.isEmpty() ? "" : bundle + "/") + file;
    try (InputStream in = TestBundles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test fixture " + resource + " on the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ByteBuffer direct(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
    b.put(bytes).flip();
    return b;
  }
}
