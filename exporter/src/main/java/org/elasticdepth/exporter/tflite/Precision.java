package org.elasticdepth.exporter.tflite;

/** How a graph stores its constant weights. Activations and arithmetic are float32 either way. */
public enum Precision {
  /** Weights stored as float32: bit-exact with the trained model. */
  FP32,
  /**
   * Weights stored as IEEE half floats, each followed by a DEQUANTIZE to float32: half the file
   * size; XNNPACK and the GPU delegate unpack them once at load time.
   */
  FP16;

  /** The name used in manifests and reports: {@code "fp32"} or {@code "fp16"}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
