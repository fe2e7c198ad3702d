package org.elasticdepth.benchmark;

import java.util.Locale;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.EarlyExit;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.GraphTarget;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;

/** A benchmark result in a few lines for the screen and logcat; the JSON file has everything. */
final class ResultSummary {
  private ResultSummary() {}

  static String format(BenchmarkResult r) {
    StringBuilder out = new StringBuilder();
    out.append(r.device().manufacturer()).append(' ').append(r.device().model()).append(", API ")
        .append(r.device().apiLevel()).append(", bundle depth ").append(r.bundle().depth()).append('\n');
    for (ExecutorResult e : r.executors()) {
      out.append('\n').append(e.name());
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
