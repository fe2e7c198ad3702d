package org.elasticdepth.runtime.benchmark;

/** The paper's exit statistics over an exit histogram m (m[i] = samples that exited after layer i+1). */
final class ExitMath {
  private ExitMath() {}

  /** sum(i * m_i) / sum(m_i), with 1-based layers. */
  static double meanExitLayer(int[] m) {
    long samples = 0;
    long layers = 0;
    for (int i = 0; i < m.length; i++) {
      samples += m[i];
      layers += (long) (i + 1) * m[i];
    }
    return samples == 0 ? Double.NaN : (double) layers / samples;
  }

  /** sum(L * m_i) / sum(i * m_i): how many times fewer layers ran than at full depth L. */
  static double speedUpByLayers(int[] m) {
    return m.length / meanExitLayer(m);
  }
}
