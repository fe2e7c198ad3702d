package org.elasticdepth.benchmark;

import java.util.Locale;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.AutomaticPrecision;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.EarlyExit;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.GraphTarget;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.benchmark.PrecisionComparison;

/** A benchmark result in a few lines for the screen and logcat; the JSON file has everything. */
final class ResultSummary {
  private ResultSummary() {}

  static String format(BenchmarkResult r) {
    StringBuilder out = new StringBuilder();
    out.append(r.device().manufacturer()).append(' ').append(r.device().model()).append(", API ")
        .append(r.device().apiLevel()).append(", bundle depth ").append(r.bundle().depth()).append('\n');
    if (r.multiPrecision()) {
      out.append(precisions(r));
    }
    for (ExecutorResult e : r.executors()) {
      out.append('\n').append(r.label(e));
      if (e.status() != Status.OK) {
        out.append(": FAILED, ").append(e.error()).append('\n');
        continue;
      }
      out.append(String.format(Locale.ROOT, " (setup %.1f ms)%n", e.setupMs()));
      for (DepthResult d : e.depths()) {
        if (d.status() != Status.OK) {
          out.append(String.format(Locale.ROOT, "  depth %d: FAILED, %s%n", d.depth(), d.error()));
          continue;
        }
        out.append(String.format(Locale.ROOT, "  depth %d: %.3f ms mean, p90 %.3f ms, init %.1f ms%s%n", d.depth(),
            d.latency().meanMs(), d.latency().p90Ms(), d.initMs(), fallbacks(d)));
      }
      EarlyExit x = e.earlyExit();
      if (x.status() == Status.OK) {
        out.append(String.format(Locale.ROOT,
            "  early exit @%.3f on %d samples: accuracy %.3f (full depth %.3f), mean exit layer %.2f, speed-up %.2fx by layers, %.2fx by wall clock%n",
            x.threshold(), x.samples(), x.accuracy(), x.fullDepthAccuracy(), x.meanExitLayer(), x.speedUpByLayers(),
            x.speedUpByWallClock()));
      } else {
        out.append("  early exit: ").append(x.status().json()).append(", ").append(x.message()).append('\n');
      }
      if (e.sustained().status() == Status.FAILED) {
        out.append("  sustained run: failed, ").append(e.sustained().message()).append('\n');
      } else if (e.sustained().status() == Status.OK) {
        out.append(String.format(Locale.ROOT, "  sustained run: %d points over %.0f s%n", e.sustained().points().size(),
            e.sustained().durationSeconds()));
      }
    }
    return out.toString().trim();
  }

  /**
   * One row per executor and precision (median latency at the deepest depth, latency and resident
   * bytes per block, each against fp32 on the same executor; accuracy; early exit at the precision's own
   * threshold), the runtime's own pick marked, then each executor's pick and why.
   */
  static String precisions(BenchmarkResult r) {
    StringBuilder out = new StringBuilder("\nPrecisions (" + String.join(", ", r.bundle().precisions())
        + "; ratios vs fp32 on the same executor):\n");
    for (PrecisionComparison.Row row : PrecisionComparison.rows(r)) {
      out.append("  ").append(row.executor()).append(' ').append(row.precision()).append(row.automatic() ? " *" : "")
          .append(": ");
      if (row.status() != Status.OK) {
        out.append("FAILED, ").append(row.error()).append('\n');
        continue;
      }
      if (row.medianMs() != null) {
        out.append(String.format(Locale.ROOT, "median %.3f ms at depth %d%s", row.medianMs(), row.depth(), ratio(row.latencyVsFp32())));
      }
      if (row.blockMs() != null) {
        out.append(String.format(Locale.ROOT, ", %.4f ms%s", row.blockMs(), ratio(row.blockVsFp32())))
            .append(row.residentBytesPerBlock() == null ? "" : String.format(Locale.ROOT, " and %.1f kB%s",
                row.residentBytesPerBlock() / 1000, ratio(row.residentVsFp32())))
            .append(" per block");
      }
      if (row.fullDepthAccuracy() != null) {
        out.append(String.format(Locale.ROOT, ", accuracy %.3f, early exit %.3f @%.3f (%.2fx by layers)",
            row.fullDepthAccuracy(), row.earlyExitAccuracy(), row.threshold(), row.speedUpByLayers()));
      }
      out.append('\n');
    }
    for (AutomaticPrecision c : r.precisionChoices()) {
      out.append("  * ").append(c.executor()).append(" runs ")
          .append(c.precision() == null ? "nothing" : c.precision()).append(" by itself: ").append(c.reason()).append('\n');
    }
    return out.toString();
  }

  /** " (0.52x)" for a ratio other than fp32 itself, else empty. */
  private static String ratio(Double vsFp32) {
    return vsFp32 == null || vsFp32 == 1.0 ? "" : String.format(Locale.ROOT, " (%.2fx)", vsFp32);
  }

  /** ", 2 graphs fell back to CPU" when a delegate refused graphs, else empty. */
  private static String fallbacks(DepthResult d) {
    long fellBack = d.targets().stream().filter(t -> t.fallbackReason() != null).count();
    if (fellBack == 0) {
      return "";
    }
    GraphTarget first = d.targets().stream().filter(t -> t.fallbackReason() != null).findFirst().orElseThrow();
    return ", " + fellBack + " graph" + (fellBack == 1 ? "" : "s") + " fell back to " + first.accelerator();
  }
}
