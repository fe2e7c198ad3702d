package org.elasticdepth.exporter.verify;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.elasticdepth.runtime.desktop.OpPlacement;

/**
 * What {@link BundleVerifier} measured for one precision of a bundle. Per-layer arrays are indexed
 * by layer - 1; without a reference model the difference and agreement arrays are null.
 *
 * @param precision          the precision checked ("fp32", "fp16" or "int8")
 * @param graphs             every graph's file, size, execution plan and operator placement
 * @param images             images run through the bundle
 * @param maxLogitDiff       max |TFLite logit - reference logit| per layer
 * @param agreement          fraction of images whose arg-max class agrees, per layer
 * @param tfliteAccuracy     accuracy of the bundle's exits against the labels (null without labels)
 * @param referenceAccuracy  accuracy of the reference's exits (null without reference or labels)
 * @param fullVsChained      max |full.tflite logits - chained last-layer logits| (NaN without full.tflite)
 * @param fullAgreement      fraction of images on which full.tflite and the chained graphs agree (NaN without full)
 * @param tolerance          what counts as a pass
 */
public record VerifyReport(String location, String precision, List<GraphCheck> graphs, int images,
    double[] maxLogitDiff, double[] agreement, double[] tfliteAccuracy, double[] referenceAccuracy,
    double fullVsChained, double fullAgreement, Tolerance tolerance) {

  /** A report without the full graph's agreement (it is then judged by its logit difference only). */
  public VerifyReport(String location, String precision, List<GraphCheck> graphs, int images, double[] maxLogitDiff,
      double[] agreement, double[] tfliteAccuracy, double[] referenceAccuracy, double fullVsChained, Tolerance tolerance) {
    this(location, precision, graphs, images, maxLogitDiff, agreement, tfliteAccuracy, referenceAccuracy, fullVsChained,
        Double.NaN, tolerance);
  }

  /**
   * One graph as desktop TFLite ran it. {@code singlePartition} is only demanded of blocks;
   * {@code placement} says where each operator runs (XNNPACK partitions or TFLite kernels).
   */
  public record GraphCheck(String file, long bytes, boolean block, boolean singlePartition, List<String> plan,
      List<OpPlacement> placement) {
    public GraphCheck(String file, long bytes, boolean block, boolean singlePartition, List<String> plan) {
      this(file, bytes, block, singlePartition, plan, List.of());
    }
  }

  /**
   * Pass criteria of one precision.
   *
   * @param maxLogitDiff the largest acceptable |logit difference| against the reference and between
   *     full.tflite and the chained graphs; null: not judged by logits (int8: quantization moves
   *     logits by amounts that say nothing about correctness; agreement and accuracy do)
   * @param minAgreement the smallest acceptable share of images whose predicted class matches
   * @param agreementAtEveryLayer whether {@code minAgreement} holds at every layer (float graphs)
   *     or at the last only (int8: an early layer's near-ties flip under quantization)
   * @param maxAccuracyDrop the largest acceptable drop of the bundle's accuracy below the reference's
   *     at any layer, as a fraction (0.005 = half a point), when labels are known; null: not judged
   * @param singlePartitionBlocks whether every block must run as exactly one XNNPACK partition (the
   *     float graphs are built to); int8 blocks may leave ops XNNPACK lacks an integer kernel for to
   *     TFLite's kernels, which the report lists instead of failing
   */
  public record Tolerance(Double maxLogitDiff, double minAgreement, boolean agreementAtEveryLayer, Double maxAccuracyDrop,
      boolean singlePartitionBlocks) {
    /** Float criteria: {@code maxLogitDiff} and {@code minAgreement} at every layer, blocks one partition. */
    public Tolerance(double maxLogitDiff, double minAgreement) {
      this(Double.valueOf(maxLogitDiff), minAgreement, true, null, true);
    }

    /**
     * fp32: 1e-4 and 99.9 % at every layer. fp16 weights round to 11 significant bits: 5e-2 and 99 %.
     * int8: no logit bound; 99 % agreement at the last layer and at most 0.5 points of accuracy lost
     * at any layer (the goals for post-training quantization); split blocks are reported,
     * not failed.
     */
    public static Tolerance forPrecision(String precision) {
      switch (precision) {
        case "fp16":
          return new Tolerance(5e-2, 0.99);
        case "int8":
          return new Tolerance(null, 0.99, false, 0.005, false);
        default:
          return new Tolerance(1e-4, 0.999);
      }
    }

    /** This tolerance with the user's overrides (null: keep). */
    public Tolerance with(Double logitDiff, Double agreement) {
      return new Tolerance(logitDiff != null ? logitDiff : maxLogitDiff, agreement != null ? agreement : minAgreement,
          agreementAtEveryLayer, maxAccuracyDrop, singlePartitionBlocks);
    }

    String describe() {
      List<String> parts = new ArrayList<>();
      if (maxLogitDiff != null) {
        parts.add(String.format(Locale.ROOT, "max |logit diff| <= %.0e", maxLogitDiff));
      }
      parts.add(String.format(Locale.ROOT, "agreement >= %.1f%% %s", 100 * minAgreement,
          agreementAtEveryLayer ? "at every layer" : "at the last layer"));
      if (maxAccuracyDrop != null) {
        parts.add(String.format(Locale.ROOT, "accuracy within %.1f points of the reference at every layer (with labels)",
            100 * maxAccuracyDrop));
      }
      parts.add(singlePartitionBlocks ? "every block one XNNPACK partition"
          : "blocks may leave ops to TFLite kernels (listed above)");
      return String.join(", ", parts);
    }
  }

  /** Blocks that do not run as exactly one XNNPACK partition. */
  public List<String> splitBlocks() {
    return graphs.stream().filter(g -> g.block() && !g.singlePartition()).map(GraphCheck::file).toList();
  }

  /** Largest per-layer logit difference (NaN without reference). */
  public double worstLogitDiff() {
    return maxLogitDiff == null ? Double.NaN : java.util.Arrays.stream(maxLogitDiff).max().orElse(0);
  }

  /** Smallest per-layer agreement (NaN without reference). */
  public double worstAgreement() {
    return agreement == null ? Double.NaN : java.util.Arrays.stream(agreement).min().orElse(1);
  }

  /**
   * Largest per-layer accuracy drop of the bundle below the reference (NaN without both
   * accuracies); negative when the bundle scored higher at every layer.
   */
  public double worstAccuracyDrop() {
    if (tfliteAccuracy == null || referenceAccuracy == null) {
      return Double.NaN;
    }
    double worst = Double.NEGATIVE_INFINITY;
    for (int l = 0; l < tfliteAccuracy.length; l++) {
      worst = Math.max(worst, referenceAccuracy[l] - tfliteAccuracy[l]);
    }
    return worst;
  }

  /** Every check within tolerance: blocks unsplit, logits close, predictions agreeing, full == chained. */
  public boolean passed() {
    return (splitBlocks().isEmpty() || !tolerance.singlePartitionBlocks()) && referenceOk() && fullOk();
  }

  private boolean referenceOk() {
    if (maxLogitDiff == null) {
      return true;
    }
    boolean logits = tolerance.maxLogitDiff() == null || worstLogitDiff() <= tolerance.maxLogitDiff();
    double judged = tolerance.agreementAtEveryLayer() ? worstAgreement() : agreement[agreement.length - 1];
    double drop = worstAccuracyDrop();
    boolean accuracy = tolerance.maxAccuracyDrop() == null || Double.isNaN(drop) || drop <= tolerance.maxAccuracyDrop() + 1e-12;
    return logits && judged >= tolerance.minAgreement() && accuracy;
  }

  private boolean fullOk() {
    if (Double.isNaN(fullVsChained)) {
      return true;
    }
    if (tolerance.maxLogitDiff() != null) {
      return fullVsChained <= tolerance.maxLogitDiff();
    }
    return Double.isNaN(fullAgreement) || fullAgreement >= tolerance.minAgreement();
  }

  /** The printed report as text. */
  public String print() {
    java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
    print(new PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
    return text.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  public void print(PrintStream out) {
    out.printf(Locale.ROOT, "bundle %s (%s graphs), %d graphs, hashes and flatbuffers verified%n", location, precision,
        graphs.size());
    for (GraphCheck g : graphs) {
      String plan = g.plan().size() == 1 ? g.plan().get(0) : g.plan().size() + " nodes " + summarise(g.plan());
      out.printf(Locale.ROOT, "  %-21s %9d bytes  %s%s%n", g.file(), g.bytes(), plan,
          !g.block() ? "" : g.singlePartition() ? "  (one XNNPACK partition)"
              : tolerance.singlePartitionBlocks() ? "  (SPLIT: not one XNNPACK partition)" : "  (not one XNNPACK partition)");
      if (!g.placement().isEmpty()) {
        List<String> ops = new ArrayList<>();
        g.placement().forEach(p -> ops.add(p.toString()));
        out.println("      ops: " + String.join(", ", ops));
      }
    }
    out.printf(Locale.ROOT, "%d image(s) run through stem -> blocks -> head%n", images);
    if (maxLogitDiff != null) {
      out.println("  layer  max|logit diff|  agreement  acc(tflite)  acc(reference)");
      for (int l = 0; l < maxLogitDiff.length; l++) {
        out.printf(Locale.ROOT, "  %5d  %15.3e  %8.2f%%  %11s  %14s%n", l + 1, maxLogitDiff[l], 100 * agreement[l],
            percent(tfliteAccuracy, l), percent(referenceAccuracy, l));
      }
      if (!Double.isNaN(worstAccuracyDrop())) {
        out.printf(Locale.ROOT, "worst per-layer accuracy drop vs the reference: %.2f points%n", 100 * worstAccuracyDrop());
      }
    }
    if (!Double.isNaN(fullVsChained)) {
      out.printf(Locale.ROOT, "full.tflite vs chained stem -> blocks -> head: max |logit diff| %.3e, agreement %.2f%%%n",
          fullVsChained, Double.isNaN(fullAgreement) ? Double.NaN : 100 * fullAgreement);
    }
    out.printf(Locale.ROOT, "%s %s (tolerance: %s)%n", precision, passed() ? "PASS" : "FAIL", tolerance.describe());
  }

  private static String percent(double[] values, int l) {
    return values == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * values[l]);
  }

  private static String summarise(List<String> plan) {
    return plan.size() <= 6 ? plan.toString() : plan.subList(0, 6) + "...";
  }
}
