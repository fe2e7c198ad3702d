package org.elasticdepth.exporter.verify;

import com.google.gson.GsonBuilder;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.exporter.data.FashionMnist;
import org.elasticdepth.exporter.data.ImageSet;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.Sha256;
import org.elasticdepth.runtime.desktop.DesktopExecutor;

/**
 * Writes what runtime tests check early exit against: the first N Fashion-MNIST test images as IDX
 * files ({@code samples-images-idx3-ubyte}, {@code samples-labels-idx1-ubyte}) and {@code
 * BUNDLE.expected.json} with every layer's logits, prediction and confidence (max softmax) on them,
 * as desktop TFLite computes them through stem -> blocks -> head.
 *
 * <pre>
 * mvn -o -q -pl exporter exec:java -Dexec.classpathScope=test \
 *   -Dexporter.main=org.elasticdepth.exporter.verify.ExpectedPredictionsFixture \
 *   -Dexec.args="runtime-lib/desktop/src/test/resources/bundles/tiny runtime-lib/desktop/src/test/resources/bundles 64"
 * </pre>
 */
public final class ExpectedPredictionsFixture {
  private ExpectedPredictionsFixture() {}

  public static void main(String[] args) throws IOException {
    Path bundleDir = Path.of(args[0]);
    Path out = Path.of(args[1]);
    int count = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    ImageSet test = FashionMnist.test(FashionMnist.locate(null)).head(count);
    writeIdx(test, out);

    try (Bundle bundle = Bundle.fromDirectory(bundleDir.toFile()); DesktopExecutor executor = DesktopExecutor.create();
        ChainedRunner runner = new ChainedRunner(bundle, executor)) {
      BundleManifest m = bundle.manifest();
      float[] images = normalise(test, m.input());
      List<Map<String, Object>> samples = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        float[][] logits = runner.layerLogits(images, i * m.input().elementCount());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int l = 0; l < logits.length; l++) {
          Map<String, Object> layer = new LinkedHashMap<>();
          layer.put("layer", l + 1);
          layer.put("prediction", BundleVerifier.argmax(logits[l]));
          layer.put("confidence", maxSoftmax(logits[l]));
          layer.put("logits", logits[l]);
          layers.add(layer);
        }
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("index", i);
        sample.put("label", test.label(i));
        sample.put("layers", layers);
        samples.add(sample);
      }
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("bundle", bundleDir.getFileName().toString());
      root.put("manifestSha256", Sha256.hex(Files.readAllBytes(bundleDir.resolve(BundleManifest.FILE_NAME))));
      root.put("images", "samples-images-idx3-ubyte / samples-labels-idx1-ubyte: the first " + count
          + " Fashion-MNIST test images (t10k), uint8 28x28");
      root.put("preprocessing", "(pixel * input.scale - input.mean[c]) / input.std[c], NHWC, from the manifest");
      root.put("executor", "desktop TFLite 2.21 (org.bytedeco), XNNPACK, 1 thread; confidence = max softmax");
      root.put("samples", samples);
      Path json = out.resolve(bundleDir.getFileName() + ".expected.json");
      Files.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(root) + "\n", StandardCharsets.UTF_8);
      System.out.println("wrote " + json + " and the " + count + " sample images in " + out);
    }
  }

  /** The manifest's preprocessing on uint8 pixels, NHWC. */
  static float[] normalise(ImageSet set, BundleManifest.Input input) {
    int c = input.channels();
    int plane = input.height() * input.width();
    float[] mean = input.mean();
    float[] std = input.std();
    float[] out = new float[set.size() * plane * c];
    for (int i = 0; i < set.size(); i++) {
      for (int y = 0; y < input.height(); y++) {
        for (int x = 0; x < input.width(); x++) {
          for (int ch = 0; ch < c; ch++) {
            int pixel = set.pixel(i, ch, y, x);
            out[(i * plane + y * input.width() + x) * c + ch] = (pixel * input.scale() - mean[ch]) / std[ch];
          }
        }
      }
    }
    return out;
  }

  private static double maxSoftmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    return 1 / sum;
  }

  private static void writeIdx(ImageSet set, Path out) throws IOException {
    Files.createDirectories(out);
    ByteArrayOutputStream images = new ByteArrayOutputStream();
    try (DataOutputStream d = new DataOutputStream(images)) {
      d.writeInt(0x00000803);
      d.writeInt(set.size());
      d.writeInt(set.imageSize());
      d.writeInt(set.imageSize());
      byte[] pixels = new byte[set.imageBytes()];
      for (int i = 0; i < set.size(); i++) {
        set.copyPixels(i, pixels, 0);
        d.write(pixels);
      }
    }
    ByteArrayOutputStream labels = new ByteArrayOutputStream();
    try (DataOutputStream d = new DataOutputStream(labels)) {
      d.writeInt(0x00000801);
      d.writeInt(set.size());
      for (int i = 0; i < set.size(); i++) {
        d.writeByte(set.label(i));
      }
    }
    Files.write(out.resolve("samples-images-idx3-ubyte"), images.toByteArray());
    Files.write(out.resolve("samples-labels-idx1-ubyte"), labels.toByteArray());
  }
}
