package org.elasticdepth.runtime.benchmark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.AutomaticPrecision;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.EarlyExit;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;

/**
 * A result's precisions side by side, one row per executor and precision: what the desktop bench
 * table, bench-report and the benchmark app's screen all show, computed once here. Latency and
 * memory are compared with the fp32 entry of the same executor in the same run (ratios, so that
 * the device's speed and the run's conditions cancel out).
 */
public final class PrecisionComparison {
  private PrecisionComparison() {}

  /**
   * One precision on one executor.
   *
   * @param depth the deepest depth measured, at which {@code medianMs} was taken
   * @param medianMs median latency of the chain at {@code depth} (the median: a shared device's
   *     preemptions move the mean of a few runs by more than precisions differ)
   * @param latencyVsFp32 {@code medianMs} / the fp32 entry's (below 1: faster); null without both
   * @param blockMs what one more block adds to the median latency, between the shallowest and the
   *     deepest depth measured (stem and head cancel out); null with fewer than two depths
   * @param blockVsFp32 {@code blockMs} / the fp32 entry's
   * @param residentBytesPerBlock the executor's resident bytes added per block, between the
   *     shallowest and deepest depth measured; null with fewer than two depths
   * @param residentVsFp32 {@code residentBytesPerBlock} / the fp32 entry's
   * @param fullDepthAccuracy accuracy at full depth on the labelled samples
   * @param earlyExitAccuracy accuracy with early exit at this precision's own {@code threshold}
   * @param speedUpByLayers the early exit's speed-up by layers, sum(L*m_i) / sum(i*m_i)
   * @param automatic whether the runtime picks this precision on this executor by itself
   */
  public record Row(
      String executor,
      String precision,
      Status status,
      String error,
      Integer depth,
      Double medianMs,
      Double latencyVsFp32,
      Double blockMs,
      Double blockVsFp32,
      Double residentBytesPerBlock,
      Double residentVsFp32,
      Double fullDepthAccuracy,
      Double earlyExitAccuracy,
      Double threshold,
      Double speedUpByLayers,
      boolean automatic) {}

  /** The rows of {@code r}, in the order measured. */
  public static List<Row> rows(BenchmarkResult r) {
    List<Row> rows = new ArrayList<>();
    for (ExecutorResult e : r.executors()) {
      ExecutorResult fp32 = r.executor(e.name(), "fp32");
      AutomaticPrecision choice = r.precisionChoice(e.name());
      boolean automatic = choice != null && e.precision().equals(choice.precision());
      if (e.status() != Status.OK) {
        rows.add(new Row(e.name(), e.precision(), e.status(), e.error(), null, null, null, null, null, null, null, null,
            null, null, null, automatic));
        continue;
      }
      DepthResult deepest = deepest(e);
      Double medianMs = deepest == null ? null : deepest.latency().p50Ms();
      Double fp32Ms = fp32 == null || deepest == null || fp32.okDepth(deepest.depth()) == null ? null
          : fp32.okDepth(deepest.depth()).latency().p50Ms();
      Double blockMs = msPerBlock(e);
      Double fp32BlockMs = fp32 == null || fp32.status() != Status.OK ? null : msPerBlock(fp32);
      Double perBlock = residentBytesPerBlock(e);
      Double fp32PerBlock = fp32 == null || fp32.status() != Status.OK ? null : residentBytesPerBlock(fp32);
      EarlyExit x = e.earlyExit();
      boolean exitOk = x.status() == Status.OK;
      rows.add(new Row(e.name(), e.precision(), Status.OK, null, deepest == null ? null : deepest.depth(), medianMs,
          ratio(medianMs, fp32Ms), blockMs, ratio(blockMs, fp32BlockMs), perBlock, ratio(perBlock, fp32PerBlock), exitOk ? x.fullDepthAccuracy() : null,
          exitOk ? x.accuracy() : null, exitOk ? x.threshold() : null, exitOk ? x.speedUpByLayers() : null, automatic));
    }
    return Collections.unmodifiableList(rows);
  }

  /** The deepest successful depth, or null. */
  static DepthResult deepest(ExecutorResult e) {
    DepthResult best = null;
    for (DepthResult d : e.depths()) {
      if (d.status() == Status.OK && (best == null || d.depth() > best.depth())) {
        best = d;
      }
    }
    return best;
  }

  /** Median milliseconds one more block adds; null below two depths. */
  static Double msPerBlock(ExecutorResult e) {
    DepthResult first = null;
    DepthResult last = null;
    for (DepthResult d : e.depths()) {
      if (d.status() != Status.OK) {
        continue;
      }
      first = first == null || d.depth() < first.depth() ? d : first;
      last = last == null || d.depth() > last.depth() ? d : last;
    }
    if (first == null || first == last) {
      return null;
    }
    return (last.latency().p50Ms() - first.latency().p50Ms()) / (last.depth() - first.depth());
  }

  /** Resident bytes one more block adds, by the executor's own accounting; null below two depths. */
  static Double residentBytesPerBlock(ExecutorResult e) {
    DepthResult first = null;
    DepthResult last = null;
    for (DepthResult d : e.depths()) {
      if (d.status() != Status.OK || d.residentBytes() == null) {
        continue;
      }
      first = first == null || d.depth() < first.depth() ? d : first;
      last = last == null || d.depth() > last.depth() ? d : last;
    }
    if (first == null || first == last) {
      return null;
    }
    return (double) (last.residentBytes() - first.residentBytes()) / (last.depth() - first.depth());
  }

  private static Double ratio(Double value, Double reference) {
    return value == null || reference == null || reference == 0 ? null : value / reference;
  }
}
