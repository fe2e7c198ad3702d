package org.elasticdepth.exporter.tflite;

/** The smallest and largest value a float tensor took on the calibration images. */
public record TensorRange(float min, float max) {
  public TensorRange {
    if (!(Float.isFinite(min) && Float.isFinite(max) && min <= max)) {
      throw new IllegalArgumentException("not a range: [" + min + ", " + max + "]");
    }
  }

  /** The range covering both. */
  public TensorRange union(TensorRange other) {
    return new TensorRange(Math.min(min, other.min), Math.max(max, other.max));
  }
}
