package org.elasticdepth.exporter.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.elasticdepth.exporter.verify.VerifyReport.GraphCheck;
import org.elasticdepth.exporter.verify.VerifyReport.Tolerance;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.DesktopGraph;
import org.elasticdepth.runtime.spi.GraphException;

/**
 * Proves a bundle on real TFLite: hashes every file, verifies and loads every graph on desktop
 * TFLite (XNNPACK), checks each block is one XNNPACK partition, runs images through stem -> blocks
 * -> head, and compares every layer's logits with a reference model and the monolithic graph.
 */
public final class BundleVerifier {
  private BundleVerifier() {}

  /**
   * Checks {@code bundle} against {@code reference} on {@code count} images.
   *
   * @param reference  the trained model, or null to check only that every graph loads and runs
   *                   (then {@code imagesNhwc} may be null: a few seeded random images are used)
   * @param labels     labels of the images, or null
   * @throws org.elasticdepth.runtime.bundle.BundleException if a file is missing, truncated or tampered with
   * @throws GraphException if a graph is not valid TFLite, does not match its manifest entry or fails to run
   */
  public static VerifyReport verify(Bundle bundle, DesktopExecutor executor, LayerwiseReference reference,
      float[] imagesNhwc, int[] labels, int count, Tolerance tolerance) {
    BundleManifest m = bundle.manifest();
    int imageFloats = m.input().elementCount();
    if (imagesNhwc == null) {
      imagesNhwc = randomImages(count, imageFloats);
      labels = null;
    }
    if (imagesNhwc.length < (long) count * imageFloats) {
      throw new IllegalArgumentException("need " + count + " images of " + imageFloats + " floats, got "
          + imagesNhwc.length / imageFloats);
    }
    int layers = m.depth();
    try (ChainedRunner runner = new ChainedRunner(bundle, executor)) {
      float[][][] tflite = new float[layers][count][];
      double fullVsChained = runner.full() == null ? Double.NaN : 0;
      for (int i = 0; i < count; i++) {
        float[][] logits = runner.layerLogits(imagesNhwc, i * imageFloats);
        for (int l = 0; l < layers; l++) {
          requireFinite(logits[l], m.block(l + 1).file());
          tflite[l][i] = logits[l];
        }
        if (runner.full() != null) {
          fullVsChained = Math.max(fullVsChained, maxAbsDiff(runner.fullLogits(imagesNhwc, i * imageFloats), logits[layers - 1]));
        }
      }
      double[] maxDiff = null;
      double[] agreement = null;
      double[] referenceAccuracy = null;
      if (reference != null) {
        float[] batch = java.util.Arrays.copyOf(imagesNhwc, count * imageFloats);
        float[][][] expected = reference.layerLogits(batch, count);
        maxDiff = new double[layers];
        agreement = new double[layers];
        for (int l = 0; l < layers; l++) {
          int agree = 0;
          for (int i = 0; i < count; i++) {
            maxDiff[l] = Math.max(maxDiff[l], maxAbsDiff(tflite[l][i], expected[l][i]));
            agree += argmax(tflite[l][i]) == argmax(expected[l][i]) ? 1 : 0;
          }
          agreement[l] = (double) agree / count;
        }
        referenceAccuracy = labels == null ? null : accuracy(expected, labels, count);
      }
      double[] tfliteAccuracy = labels == null ? null : accuracy(tflite, labels, count);
      return new VerifyReport(bundle.location(), m.provenance().precision(), checks(runner, m), count, maxDiff,
          agreement, tfliteAccuracy, referenceAccuracy, fullVsChained, tolerance);
    }
  }

  private static List<GraphCheck> checks(ChainedRunner runner, BundleManifest m) {
    List<GraphCheck> checks = new ArrayList<>();
    for (DesktopGraph g : runner.graphs()) {
      boolean block = m.graphs().blocks().contains(g.spec());
      checks.add(new GraphCheck(g.spec().file(), g.spec().bytes(), block, g.isSingleXnnpackPartition(), g.executionPlan()));
    }
    return checks;
  }

  private static void requireFinite(float[] logits, String file) {
    for (float v : logits) {
      if (!Float.isFinite(v)) {
        throw new GraphException(file + " produced a non-finite logit (" + v + ")");
      }
    }
  }

  private static double[] accuracy(float[][][] logits, int[] labels, int count) {
    double[] accuracy = new double[logits.length];
    for (int l = 0; l < logits.length; l++) {
      int correct = 0;
      for (int i = 0; i < count; i++) {
        correct += argmax(logits[l][i]) == labels[i] ? 1 : 0;
      }
      accuracy[l] = (double) correct / count;
    }
    return accuracy;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("logits of " + a.length + " and " + b.length + " classes");
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  private static float[] randomImages(int count, int floats) {
    Random random = new Random(42);
    float[] images = new float[count * floats];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) random.nextGaussian();
    }
    return images;
  }
}
