package org.elasticdepth.exporter.verify;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * What {@link BundleVerifier} measured. Per-layer arrays are indexed by layer - 1; without a
 * reference model the difference and agreement arrays are null.
 *
 * @param precision          the bundle's weight precision ("fp32" or "fp16")
 * @param graphs             every graph's file, size and execution plan summary
 * @param images             images run through the bundle
 * @param maxLogitDiff       max |TFLite logit - reference logit| per layer
 * @param agreement          fraction of images whose arg-max class agrees, per layer
 * @param tfliteAccuracy     accuracy of the bundle's exits against the labels (null without labels)
 * @param referenceAccuracy  accuracy of the reference's exits (null without reference or labels)
 * @param fullVsChained      max |full.tflite logits - chained last-layer logits| (NaN without full.tflite)
 * @param tolerance          what counts as a pass
 */
public record VerifyReport(String location, String precision, List<GraphCheck> graphs, int images,
    double[] maxLogitDiff, double[] agreement, double[] tfliteAccuracy, double[] referenceAccuracy,
    double fullVsChained, Tolerance tolerance) {

  /** One graph as desktop TFLite ran it. {@code singlePartition} is only demanded of blocks. */
  public record GraphCheck(String file, long bytes, boolean block, boolean singlePartition, List<String> plan) {}

  /** Pass criteria: the largest acceptable logit difference, the smallest acceptable agreement. */
  public record Tolerance(double maxLogitDiff, double minAgreement) {
    /** 1e-4 and 99.9% for fp32 weights; fp16 weights round to 11 significant bits, so 5e-2 and 99%. */
    public static Tolerance forPrecision(String precision) {
      return "fp16".equals(precision) ? new Tolerance(5e-2, 0.99) : new Tolerance(1e-4, 0.999);
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

  /** Every check within tolerance: blocks unsplit, logits close, predictions agreeing, full == chained. */
  public boolean passed() {
    boolean logitsOk = maxLogitDiff == null
        || (worstLogitDiff() <= tolerance.maxLogitDiff() && worstAgreement() >= tolerance.minAgreement());
    boolean fullOk = Double.isNaN(fullVsChained) || fullVsChained <= tolerance.maxLogitDiff();
    return splitBlocks().isEmpty() && logitsOk && fullOk;
  }

  /** The printed report as text. */
  public String print() {
    java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
    print(new PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
    return text.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  public void print(PrintStream out) {
    out.printf(Locale.ROOT, "bundle %s (%s weights), %d graphs, hashes and flatbuffers verified%n", location, precision,
        graphs.size());
    for (GraphCheck g : graphs) {
      String plan = g.plan().size() == 1 ? g.plan().get(0) : g.plan().size() + " nodes " + summarise(g.plan());
      out.printf(Locale.ROOT, "  %-16s %9d bytes  %s%s%n", g.file(), g.bytes(), plan,
          g.block() ? (g.singlePartition() ? "  (one XNNPACK partition)" : "  (SPLIT: not one XNNPACK partition)") : "");
    }
    out.printf(Locale.ROOT, "%d image(s) run through stem -> blocks -> head%n", images);
    if (maxLogitDiff != null) {
      out.println("  layer  max|logit diff|  agreement  acc(tflite)  acc(reference)");
      for (int l = 0; l < maxLogitDiff.length; l++) {
        out.printf(Locale.ROOT, "  %5d  %15.3e  %8.2f%%  %11s  %14s%n", l + 1, maxLogitDiff[l], 100 * agreement[l],
            percent(tfliteAccuracy, l), percent(referenceAccuracy, l));
      }
    }
    if (!Double.isNaN(fullVsChained)) {
      out.printf(Locale.ROOT, "full.tflite vs chained stem -> blocks -> head: max |logit diff| %.3e%n", fullVsChained);
    }
    out.printf(Locale.ROOT, "%s (tolerance: max |logit diff| <= %.0e, agreement >= %.1f%%, every block one XNNPACK partition)%n",
        passed() ? "PASS" : "FAIL", tolerance.maxLogitDiff(), 100 * tolerance.minAgreement());
  }

  private static String percent(double[] values, int l) {
    return values == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * values[l]);
  }

  private static String summarise(List<String> plan) {
    return plan.size() <= 6 ? plan.toString() : plan.subList(0, 6) + "...";
  }
}
