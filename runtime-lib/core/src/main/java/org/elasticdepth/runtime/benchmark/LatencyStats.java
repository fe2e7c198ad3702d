package org.elasticdepth.runtime.benchmark;

import java.util.Arrays;

/**
 * Summary of a set of latencies, in milliseconds.
 *
 * <p>Conventions (the same as TFLite's benchmark_model and MLPerf's loadgen, so numbers compare):
 * {@code std} is the population standard deviation; percentiles are nearest-rank, i.e. the
 * smallest observed value with at least p% of the observations at or below it, so every reported
 * percentile is a latency that actually happened.
 */
public record LatencyStats(int count, double meanMs, double stdMs, double minMs, double maxMs, double p50Ms, double p90Ms, double p99Ms) {

  /** Statistics of {@code nanos} (durations from {@link System#nanoTime()} differences). */
  public static LatencyStats ofNanos(long[] nanos) {
    if (nanos.length == 0) {
      throw new IllegalArgumentException("no latencies to summarise");
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (long v : sorted) {
      sum += v;
    }
    double mean = sum / sorted.length;
    double squares = 0;
    for (long v : sorted) {
      squares += (v - mean) * (v - mean);
    }
    double std = Math.sqrt(squares / sorted.length);
    return new LatencyStats(sorted.length, ms(mean), ms(std), ms(sorted[0]), ms(sorted[sorted.length - 1]),
        ms(percentile(sorted, 50)), ms(percentile(sorted, 90)), ms(percentile(sorted, 99)));
  }

  /** Nearest-rank percentile of ascending {@code sorted}: the value at rank ceil(p/100 * n). */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }

  private static double ms(double nanos) {
    return nanos / 1e6;
  }
}
