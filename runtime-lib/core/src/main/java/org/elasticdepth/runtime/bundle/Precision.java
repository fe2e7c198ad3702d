package org.elasticdepth.runtime.bundle;

import java.util.Locale;

/**
 * How a bundle's graphs store weights and compute: one bundle may carry the same graphs in several
 * precisions (see {@link BundleManifest#precisions()}), and the runtime serves each accelerator
 * the one it is built for. Every precision keeps float32 graph inputs and outputs, so graphs of
 * any precision chain the same way.
 */
public enum Precision {
  /** Weights and arithmetic in float32: bit-exact with the trained model. */
  FP32,
  /**
   * Weights stored as IEEE half floats, each followed by a DEQUANTIZE to float32: half the file
   * size; XNNPACK and the GPU delegate unpack them once at load time (the GPU then computes in fp16).
   */
  FP16,
  /**
   * Post-training integer quantization (TFLite's int8 spec): int8 weights symmetric per output
   * channel, int8 activations asymmetric per tensor calibrated on training images, int32 biases;
   * QUANTIZE at the graph's inputs and DEQUANTIZE at its outputs. What NPUs behind NNAPI and
   * XNNPACK's integer kernels run.
   */
  INT8;

  /**
   * Bytes of one weight in the copies CPU kernels and delegates keep after loading (XNNPACK's
   * packed weights): float32 for fp32 and fp16 (fp16 weights are DEQUANTIZE'd to float32 at load),
   * one byte for int8. What executors' memory estimates multiply parameters by.
   */
  public int kernelBytesPerWeight() {
    return this == INT8 ? 1 : Float.BYTES;
  }

  /** The name used in manifests, options and reports: {@code "fp32"}, {@code "fp16"}, {@code "int8"}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The precision named {@code label} ({@code "fp32"}, {@code "fp16"}, {@code "int8"}).
   *
   * @throws IllegalArgumentException naming the label and the known ones
   */
  public static Precision fromLabel(String label) {
    for (Precision p : values()) {
      if (p.label().equals(label)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown precision " + Quote.of(label) + " (known: fp32, fp16, int8)");
  }
}
