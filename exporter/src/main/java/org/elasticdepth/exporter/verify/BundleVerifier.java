package org.elasticdepth.exporter.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.elasticdepth.exporter.verify.VerifyReport.GraphCheck;
import org.elasticdepth.exporter.verify.VerifyReport.Tolerance;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.DesktopGraph;
import org.elasticdepth.runtime.spi.GraphException;

/**
 * Proves a bundle on real TFLite: hashes every file, verifies and loads every graph on desktop
 * TFLite (XNNPACK), records where every operator runs and checks each block is one XNNPACK
 * partition, runs images through stem -> blocks -> head, and compares every layer's logits with a
 * reference model and the monolithic graph; each precision of the bundle with its own tolerance.
 */
public final class BundleVerifier {
  private BundleVerifier() {}

  /**
   * Checks the bundle's primary precision against {@code reference} on {@code count} images.
   *
   * @param reference  the trained model, or null to check only that every graph loads and runs
   *                   (then {@code imagesNhwc} may be null: a few seeded random images are used)
   * @param labels     labels of the images, or null
   * @throws org.elasticdepth.runtime.bundle.BundleException if a file is missing, truncated or tampered with
   * @throws GraphException if a graph is not valid TFLite, does not match its manifest entry or fails to run
   */
  public static VerifyReport verify(Bundle bundle, DesktopExecutor executor, LayerwiseReference reference,
      float[] imagesNhwc, int[] labels, int count, Tolerance tolerance) {
    return verify(bundle, List.of(bundle.manifest().primaryPrecision()), executor, reference, imagesNhwc, labels, count,
        p -> tolerance).get(0);
  }

  /**
   * Checks each of {@code precisions} (all carried by the bundle) against the same reference
   * logits, computed once, on the same images: one report per precision, in the order given.
   *
   * @param tolerances each precision's pass criteria
   * @throws org.elasticdepth.runtime.bundle.BundleException {@code MISSING_PRECISION} if the bundle lacks one
   */
  public static List<VerifyReport> verify(Bundle bundle, List<Precision> precisions, DesktopExecutor executor,
      LayerwiseReference reference, float[] imagesNhwc, int[] labels, int count, Function<Precision, Tolerance> tolerances) {
    BundleManifest m = bundle.manifest();
    List<BundleManifest> views = new ArrayList<>();
    for (Precision p : precisions) {
      views.add(m.forPrecision(p)); // a precision the bundle lacks is refused before anything runs
    }
    int imageFloats = m.input().elementCount();
    if (imagesNhwc == null) {
      imagesNhwc = randomImages(count, imageFloats);
      labels = null;
    }
    if (imagesNhwc.length < (long) count * imageFloats) {
      throw new IllegalArgumentException("need " + count + " images of " + imageFloats + " floats, got "
          + imagesNhwc.length / imageFloats);
    }
    float[][][] expected = null;
    double[] referenceAccuracy = null;
    if (reference != null) {
      expected = reference.layerLogits(java.util.Arrays.copyOf(imagesNhwc, count * imageFloats), count);
      referenceAccuracy = labels == null ? null : accuracy(expected, labels, count);
    }
    List<VerifyReport> reports = new ArrayList<>();
    for (BundleManifest view : views) {
      reports.add(check(bundle, view, executor, expected, referenceAccuracy, imagesNhwc, labels, count,
          tolerances.apply(view.primaryPrecision())));
    }
    return reports;
  }

  private static VerifyReport check(Bundle bundle, BundleManifest m, DesktopExecutor executor, float[][][] expected,
      double[] referenceAccuracy, float[] imagesNhwc, int[] labels, int count, Tolerance tolerance) {
    int imageFloats = m.input().elementCount();
    int layers = m.depth();
    try (ChainedRunner runner = new ChainedRunner(bundle, m, executor)) {
      float[][][] tflite = new float[layers][count][];
      double fullVsChained = runner.full() == null ? Double.NaN : 0;
      int fullAgrees = 0;
      for (int i = 0; i < count; i++) {
        float[][] logits = runner.layerLogits(imagesNhwc, i * imageFloats);
        for (int l = 0; l < layers; l++) {
          requireFinite(logits[l], m.block(l + 1).file());
          tflite[l][i] = logits[l];
        }
        if (runner.full() != null) {
          float[] full = runner.fullLogits(imagesNhwc, i * imageFloats);
          fullVsChained = Math.max(fullVsChained, maxAbsDiff(full, logits[layers - 1]));
          fullAgrees += argmax(full) == argmax(logits[layers - 1]) ? 1 : 0;
        }
      }
      double[] maxDiff = null;
      double[] agreement = null;
      if (expected != null) {
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
      }
      double[] tfliteAccuracy = labels == null ? null : accuracy(tflite, labels, count);
      return new VerifyReport(bundle.location(), m.provenance().precision(), checks(runner, m), count, maxDiff,
          agreement, tfliteAccuracy, expected == null ? null : referenceAccuracy, fullVsChained,
          runner.full() == null ? Double.NaN : (double) fullAgrees / count, tolerance);
    }
  }

  private static List<GraphCheck> checks(ChainedRunner runner, BundleManifest m) {
    List<GraphCheck> checks = new ArrayList<>();
    for (DesktopGraph g : runner.graphs()) {
      boolean block = m.graphs().blocks().contains(g.spec());
      checks.add(new GraphCheck(g.spec().file(), g.spec().bytes(), block, g.isSingleXnnpackPartition(), g.executionPlan(),
          g.opPlacement()));
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
