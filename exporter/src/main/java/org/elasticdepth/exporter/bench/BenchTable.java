package org.elasticdepth.exporter.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.AutomaticPrecision;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.BlockGrowth;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.EarlyExit;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.FullComparison;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.GraphTarget;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.PolicyResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Sustained;
import org.elasticdepth.runtime.benchmark.PrecisionComparison;

/**
 * The runtime's benchmark table for one result, as Markdown (readable in a terminal too): latency
 * per depth, chained blocks vs full.tflite, the early-exit speed-up and accuracy vs full depth, and
 * resident bytes per depth against the loaded graphs' size, each with the goal it is held to. A
 * bundle with several precisions gets them side by side first, and a section per executor and
 * precision.
 */
public final class BenchTable {
  /** Goal for the chained graphs' overhead over full.tflite, in percent. */
  public static final double OVERHEAD_GOAL_PERCENT = 5;
  /** Goal for resident bytes over the loaded graphs' bytes. */
  public static final double RESIDENT_GOAL_RATIO = 1.05;

  private BenchTable() {}

  public static String format(BenchmarkResult r) {
    StringBuilder out = new StringBuilder();
    BenchmarkResult.BundleInfo b = r.bundle();
    out.append(String.format(Locale.ROOT, "Bundle %s (%s, %d layers, dim %d, %s), device %s %s (%s, %d cores), %s%n",
        b.location(), b.architecture(), b.depth(), b.dim(), String.join(", ", b.precisions()), r.device().manufacturer(),
        r.device().model(),
        r.device().soc(), r.device().cores(), r.device().os()));
    out.append(String.format(Locale.ROOT, "%d warm-up + %d timed runs per depth; times in ms%n",
        r.settings().warmupRuns(), r.settings().timedRuns()));
    if (r.multiPrecision()) {
      out.append('\n').append(precisionTable(r));
    }
    for (ExecutorResult e : r.executors()) {
      out.append('\n').append("### ").append(r.label(e)).append('\n');
      if (e.status() == Status.FAILED) {
        out.append("failed: ").append(e.error()).append('\n');
        continue;
      }
      out.append('\n');
      out.append("| depth | init | first | mean | std | p50 | p90 | p99 | resident bytes | graph bytes | resident/graph |\n");
      out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (DepthResult d : e.depths()) {
        if (d.status() != Status.OK) {
          out.append(String.format(Locale.ROOT, "| %d | failed: %s |||||||||%n", d.depth(), d.error()));
          continue;
        }
        out.append(String.format(Locale.ROOT, "| %d | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %,d | %,d | %.3f |%n",
            d.depth(), d.initMs(), d.firstInferenceMs(), d.latency().meanMs(), d.latency().stdMs(), d.latency().p50Ms(),
            d.latency().p90Ms(), d.latency().p99Ms(), d.residentBytes(), d.graphBytes(),
            (double) d.residentBytes() / d.graphBytes()));
      }
      out.append('\n');
      out.append(residentLine(e)).append('\n');
      if (e == r.executors().get(0)) {
        r.blockGrowth().ifPresent(g -> out.append(processGrowthLine(g)).append('\n'));
      }
      out.append(fullLine(e.full())).append('\n');
      out.append(earlyExitLines(e.earlyExit()));
      out.append(policyLines(e.exitPolicies()));
      out.append(sustainedLine(e.sustained())).append('\n');
      out.append(fallbackLine(e)).append('\n');
    }
    return out.toString();
  }

  /**
   * Every precision side by side (one row per executor and precision, ratios against fp32 on the
   * same executor in this run), then the precision the runtime picks by itself on each executor.
   */
  static String precisionTable(BenchmarkResult r) {
    StringBuilder s = new StringBuilder("### Precisions side by side (ratios vs fp32 on the same executor, this run)\n\n"
        + "| executor | precision | depth | median ms | vs fp32 | ms per block | vs fp32 | resident bytes per block | vs fp32 "
        + "| full-depth accuracy | early exit: threshold, accuracy, speed-up by layers | runtime's choice |\n"
        + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    for (PrecisionComparison.Row row : PrecisionComparison.rows(r)) {
      String chosen = row.automatic() ? "chosen" : "";
      if (row.status() != Status.OK) {
        s.append(String.format(Locale.ROOT, "| %s | %s | failed: %s |||||||||%s |%n", row.executor(), row.precision(),
            row.error(), chosen));
        continue;
      }
      s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          row.executor(), row.precision(), row.depth() == null ? "-" : row.depth(), number("%.3f", row.medianMs()),
          number("%.2fx", row.latencyVsFp32()), number("%.4f", row.blockMs()), number("%.2fx", row.blockVsFp32()),
          row.residentBytesPerBlock() == null ? "-" : String.format(Locale.ROOT, "%,.0f", row.residentBytesPerBlock()),
          number("%.2fx", row.residentVsFp32()), number("%.4f", row.fullDepthAccuracy()),
          row.threshold() == null ? "-" : String.format(Locale.ROOT, "%.3f, %.4f, %.2fx", row.threshold(),
              row.earlyExitAccuracy(), row.speedUpByLayers()), chosen));
    }
    s.append('\n');
    for (AutomaticPrecision c : r.precisionChoices()) {
      s.append("- the runtime's own choice on ").append(c.executor()).append(": ")
          .append(c.precision() == null ? "none" : c.precision() + " for " + c.accelerator())
          .append(c.accuracyDrop() == null || c.accuracyDrop() == 0 ? ""
              : String.format(Locale.ROOT, " (loses %.2f points at worst)", 100 * c.accuracyDrop()))
          .append(" - ").append(c.reason()).append('\n');
    }
    return s.toString();
  }

  private static String number(String format, Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, format, value);
  }

  static String residentLine(ExecutorResult e) {
    List<DepthResult> ok = new ArrayList<>();
    e.depths().stream().filter(d -> d.status() == Status.OK).forEach(ok::add);
    if (ok.isEmpty()) {
      return "- resident bytes: no depth ran";
    }
    boolean grows = true;
    double worst = 0;
    for (int i = 0; i < ok.size(); i++) {
      worst = Math.max(worst, (double) ok.get(i).residentBytes() / ok.get(i).graphBytes());
      if (i > 0 && ok.get(i).residentBytes() <= ok.get(i - 1).residentBytes()) {
        grows = false;
      }
    }
    return String.format(Locale.ROOT, "- resident bytes: %s with depth; at most %.3f x the loaded graphs' bytes (goal <= %.2f: %s)",
        grows ? "grow" : "do NOT grow", worst, RESIDENT_GOAL_RATIO, worst <= RESIDENT_GOAL_RATIO ? "met" : "missed");
  }

  /**
   * What one more block really costs the process (its resident set, first executor only: see
   * {@link BenchmarkResult#blockGrowth()}) next to what the executor accounts for: the gap is the
   * interpreters' and delegates' own bookkeeping, which no executor can see.
   */
  static String processGrowthLine(BlockGrowth g) {
    return String.format(Locale.ROOT,
        "- process resident set: %+,.0f bytes per added block (depth %d to %d) = %.2f x a block's graph bytes;"
            + " the executor accounts for %,.0f of them (%.0f %%)",
        g.processBytes(), g.fromDepth(), g.toDepth(), g.processBytes() / g.graphBytes(), g.accountedBytes(),
        g.processBytes() > 0 ? 100 * g.accountedBytes() / g.processBytes() : 0);
  }

  static String fullLine(FullComparison f) {
    if (f.status() != Status.OK) {
      return "- chained vs full.tflite: " + f.status().json() + " (" + f.message() + ")";
    }
    // The goal is judged on medians: preemptions on a shared machine move the means by several points.
    return String.format(Locale.ROOT, "- chained vs full.tflite at full depth: median %.3f ms vs %.3f ms, overhead %+.1f %%"
            + " (goal <= %.0f %%: %s); by mean %.3f ms vs %.3f ms, %+.1f %%",
        f.chained().p50Ms(), f.full().p50Ms(), f.medianOverheadPercent(), OVERHEAD_GOAL_PERCENT,
        f.medianOverheadPercent() <= OVERHEAD_GOAL_PERCENT ? "met" : "missed", f.chained().meanMs(), f.full().meanMs(),
        f.overheadPercent());
  }

  static String earlyExitLines(EarlyExit x) {
    if (x.status() != Status.OK) {
      return "- early exit: " + x.status().json() + " (" + x.message() + ")\n";
    }
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT,
        "- early exit at threshold %.4f on %d samples: accuracy %.4f vs %.4f at full depth (%+.4f); mean exit layer %.2f;"
            + " speed-up %.2fx by layers, %.2fx by wall clock (%.3f vs %.3f ms per image)%n",
        x.threshold(), x.samples(), x.accuracy(), x.fullDepthAccuracy(), x.accuracy() - x.fullDepthAccuracy(),
        x.meanExitLayer(), x.speedUpByLayers(), x.speedUpByWallClock(), x.earlyExitLatency().meanMs(),
        x.fullDepthLatency().meanMs()));
    s.append("- exit histogram (layer 1..L): ").append(x.exitHistogram()).append('\n');
    StringBuilder acc = new StringBuilder();
    for (double a : x.layerAccuracy()) {
      acc.append(acc.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.4f", a));
    }
    s.append("- shared-head accuracy per layer: ").append(acc).append('\n');
    return s.toString();
  }

  /** Goal for a latency target: measured mean latency at most this much above the target. */
  public static final double LATENCY_TARGET_TOLERANCE = 0.15;

  /**
   * The exit-policy passes: the guaranteed policy (measured disagreement vs the guaranteed drop)
   * and each latency target (measured mean vs target, within {@value #LATENCY_TARGET_TOLERANCE}
   * or under; accuracy: the calibrated frontier's best for the target vs measured).
   */
  static String policyLines(List<PolicyResult> policies) {
    if (policies.isEmpty()) {
      return "";
    }
    StringBuilder s = new StringBuilder("\n| exit policy | target ms | threshold | depth cap | predicted ms | measured ms "
        + "| measured / target | predicted accuracy | measured accuracy | disagreement with full depth |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<String> notes = new ArrayList<>();
    for (PolicyResult p : policies) {
      if (p.status() != Status.OK) {
        notes.add("- " + p.policy() + " policy: " + p.status().json() + " (" + p.message() + ")");
        continue;
      }
      boolean latency = p.targetMs() != null;
      String ratio = latency ? String.format(Locale.ROOT, "%.2f (%s)", p.measuredMeanMs() / p.targetMs(),
          !p.targetMet() ? "cannot be met" : p.measuredMeanMs() <= (1 + LATENCY_TARGET_TOLERANCE) * p.targetMs()
              ? "met" : "missed") : "-";
      s.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %.4f | %s | %s | %.4f | %.4f%s |%n",
          latency ? "latency" : "guaranteed", latency ? String.format(Locale.ROOT, "%.4f", p.targetMs()) : "-",
          p.threshold() == null ? "none" : String.format(Locale.ROOT, "%.3f", p.threshold()), p.depthCap(),
          p.predictedMeanMs() == null ? "-" : String.format(Locale.ROOT, "%.4f", p.predictedMeanMs()),
          p.measuredMeanMs(), ratio,
          p.predictedAccuracy() == null ? "-" : String.format(Locale.ROOT, "%.4f", p.predictedAccuracy()),
          p.measuredAccuracy(), p.measuredDisagreement(),
          p.guaranteedMaxDrop() == null ? "" : String.format(Locale.ROOT, " (guaranteed <= %.4f)", p.guaranteedMaxDrop())));
    }
    notes.forEach(n -> s.append(n).append('\n'));
    return s.append('\n').toString();
  }

  static String sustainedLine(Sustained s) {
    if (s.status() != Status.OK) {
      return "- sustained run: " + s.status().json() + " (" + s.message() + ")";
    }
    double first = s.points().get(0).meanMs();
    double last = s.points().get(s.points().size() - 1).meanMs();
    return String.format(Locale.ROOT, "- sustained run at depth %d for %.0f s: mean %.3f ms in the first interval, %.3f ms in the last (%+.1f %%)",
        s.depth(), s.durationSeconds(), first, last, 100 * (last / first - 1));
  }

  static String fallbackLine(ExecutorResult e) {
    List<String> fallbacks = new ArrayList<>();
    for (DepthResult d : e.depths()) {
      for (GraphTarget t : d.targets()) {
        String f = t.graph() + ": " + t.requested() + " -> " + t.accelerator() + " (" + t.fallbackReason() + ")";
        if (t.fallbackReason() != null && !fallbacks.contains(f)) {
          fallbacks.add(f);
        }
      }
    }
    String targets = e.depths().stream().filter(d -> d.status() == Status.OK).findFirst()
        .map(d -> d.targets().get(0).accelerator() + " (" + d.targets().get(0).detail() + ")").orElse("-");
    return "- ran on: " + targets + "; fallbacks: " + (fallbacks.isEmpty() ? "none" : String.join("; ", fallbacks))
        + String.format(Locale.ROOT, "; one-time executor setup %.1f ms (not in init)", e.setupMs());
  }
}
