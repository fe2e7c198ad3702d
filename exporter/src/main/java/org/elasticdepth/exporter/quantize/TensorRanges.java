package org.elasticdepth.exporter.quantize;

import java.util.HashMap;
import java.util.Map;
import org.elasticdepth.exporter.tflite.TensorRange;

/**
 * Calibrated activation ranges of a model's float32 graphs: per graph name ({@code "stem"},
 * {@code "block_01"}, {@code "head"}, {@code "full"}), per tensor name, the min and max seen.
 * Not thread-safe while being filled.
 */
public final class TensorRanges {
  private final Map<String, Map<String, TensorRange>> graphs = new HashMap<>();
  private int images;

  /** Widens the range of {@code tensor} of {@code graph} to cover {@code min..max}. */
  public void observe(String graph, String tensor, float min, float max) {
    TensorRange seen = new TensorRange(min, max);
    graphs.computeIfAbsent(graph, g -> new HashMap<>()).merge(tensor, seen, TensorRange::union);
  }

  /** Counts one more calibration image. */
  public void countImage() {
    images++;
  }

  /** How many calibration images the ranges were measured on. */
  public int images() {
    return images;
  }

  /** The ranges of one graph's tensors. */
  public Map<String, TensorRange> graph(String name) {
    Map<String, TensorRange> ranges = graphs.get(name);
    if (ranges == null) {
      throw new IllegalStateException("no calibrated ranges for graph " + name);
    }
    return Map.copyOf(ranges);
  }
}
