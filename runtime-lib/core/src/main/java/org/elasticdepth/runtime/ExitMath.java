package org.elasticdepth.runtime;

import java.util.Arrays;

/**
 * The paper's early-exit statistics over an exit histogram m, where m[i] samples exited after layer
 * i+1 of L = m.length. One definition for calibration (exporter), the benchmark suite and reports.
 */
public final class ExitMath {
  private ExitMath() {}

  /** sum(i * m_i) / sum(m_i), with 1-based layers; NaN for an empty histogram. */
  public static double meanExitLayer(long[] m) {
    long samples = 0;
    long layers = 0;
    for (int i = 0; i < m.length; i++) {
      samples += m[i];
      layers += (i + 1) * m[i];
    }
    return samples == 0 ? Double.NaN : (double) layers / samples;
  }

  /** sum(L * m_i) / sum(i * m_i): how many times fewer layers ran than at full depth L; NaN if empty. */
  public static double speedUp(long[] m) {
    return m.length / meanExitLayer(m);
  }

  public static double meanExitLayer(int[] m) {
    return meanExitLayer(Arrays.stream(m).asLongStream().toArray());
  }

  public static double speedUp(int[] m) {
    return speedUp(Arrays.stream(m).asLongStream().toArray());
  }
}
