package org.elasticdepth.runtime.desktop;

/**
 * Where the nodes of one builtin operator of a graph run on desktop TFLite: inside XNNPACK
 * partitions (replaced by a delegate kernel) or as TFLite's own kernels.
 *
 * @param op the builtin operator's name, e.g. {@code "FULLY_CONNECTED"}
 * @param xnnpack nodes XNNPACK took
 * @param tflite nodes left to TFLite's kernels
 */
public record OpPlacement(String op, int xnnpack, int tflite) {
  /** "FULLY_CONNECTED 4 XNNPACK", "MEAN 1 XNNPACK + 2 TFLite". */
  @Override
  public String toString() {
    String x = xnnpack > 0 ? xnnpack + " XNNPACK" : "";
    String t = tflite > 0 ? tflite + " TFLite" : "";
    return op + " " + x + (x.isEmpty() || t.isEmpty() ? "" : " + ") + t;
  }
}
