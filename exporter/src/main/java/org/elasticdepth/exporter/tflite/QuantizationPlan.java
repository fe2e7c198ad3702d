package org.elasticdepth.exporter.tflite;

import java.util.Map;

/**
 * What an int8 {@link GraphBuilder} needs beyond the weights: the calibrated range of every float
 * tensor of the same graph in float32 (by tensor name, which the builder makes deterministic) and
 * the recipe.
 */
public record QuantizationPlan(Map<String, TensorRange> ranges, QuantizationRecipe recipe) {
  public QuantizationPlan {
    ranges = Map.copyOf(ranges);
  }

  /** @throws IllegalStateException if calibration did not see the tensor (a graph built differently) */
  public TensorRange range(String tensorName) {
    TensorRange r = ranges.get(tensorName);
    if (r == null) {
      throw new IllegalStateException("no calibrated range for tensor " + tensorName
          + ": the calibration ran another graph than the one being quantized");
    }
    return r;
  }
}
