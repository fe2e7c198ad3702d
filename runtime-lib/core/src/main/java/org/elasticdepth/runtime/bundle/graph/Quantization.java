package org.elasticdepth.runtime.bundle.graph;

import org.elasticdepth.runtime.bundle.graph.GraphValidator.TensorTypes;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException.Rule;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.TensorType;

/**
 * One tensor's quantization (TFLite's affine scheme: {@code real = scale x (q - zero_point)}), read
 * from its QuantizationParameters and checked for what holds whatever operator uses the tensor:
 * as many zero points as scales, every scale finite and positive, int8 and int16 tensors quantized
 * (per tensor, or per channel along a dimension of the shape for constants), zero points within
 * the type (int16, per-channel and bias tensors symmetric: zero point 0), float tensors not
 * quantized. What an operator needs on top (per-channel weights, bias scales, a fixed SOFTMAX
 * output, equal parameters through RESHAPE...) is {@link OperatorRules}' business.
 */
final class Quantization {
  /**
   * Smallest scale of an int8/int16 tensor: 2^-30. Below it the kernels' fixed-point multipliers
   * (scale ratios) leave the range TFLite's QuantizeMultiplier represents; no calibrated range is
   * that small.
   */
  static final float MIN_SCALE = 0x1p-30f;
  /** Largest scale of an int8/int16 tensor: 2^20 (a range of +-1.3e8). */
  static final float MAX_SCALE = 0x1p20f;

  /** One scale per tensor, or one per channel along {@link #dimension}. */
  final float[] scale;
  final long[] zeroPoint;
  final int dimension;

  private Quantization(float[] scale, long[] zeroPoint, int dimension) {
    this.scale = scale;
    this.zeroPoint = zeroPoint;
    this.dimension = dimension;
  }

  boolean perTensor() {
    return scale.length == 1;
  }

  /** Same scale and zero point, bit for bit (what RESHAPE, TRANSPOSE, SLICE and CONCATENATION pass through). */
  boolean sameAs(Quantization other) {
    return other != null && java.util.Arrays.equals(scale, other.scale) && java.util.Arrays.equals(zeroPoint, other.zeroPoint);
  }

  @Override
  public String toString() {
    return perTensor() ? "scale " + scale[0] + " zero point " + zeroPoint[0] : scale.length + " scales along dimension " + dimension;
  }

  /**
   * Reads and checks tensor {@code index}'s quantization; null when it has none (no table, or one
   * without scales, as converters write for float tensors).
   */
  static Quantization read(String file, int index, String name, QuantizationParameters q, byte type, int[] shape, boolean constant) {
    boolean integer = type == TensorType.INT8 || type == TensorType.INT16 || type == TensorType.INT32 || type == TensorType.INT64;
    if (q == null) {
      if (type == TensorType.INT8 || type == TensorType.INT16 || type == TensorType.INT64) {
        throw fail(file, index, name, type, shape, "has no quantization parameters");
      }
      return null;
    }
    int scales = q.scaleLength();
    int zeroPoints = q.zeroPointLength();
    // min/max only record the calibrated range (TFLite ignores them): as many as scales, or any number without scales
    if (!(q.minLength() == q.maxLength() && (q.minLength() == 0 || scales == 0 || q.minLength() == scales))) {
      throw fail(file, index, name, type, shape, "has " + q.minLength() + " min and " + q.maxLength() + " max values for " + scales + " scales");
    }
    for (int k = 0; k < q.minLength(); k++) {
      if (!(Float.isFinite(q.min(k)) && Float.isFinite(q.max(k)) && q.min(k) <= q.max(k))) {
        throw fail(file, index, name, type, shape, "has a recorded range [" + q.min(k) + ", " + q.max(k) + "]");
      }
    }
    if (!(zeroPoints == scales)) {
      throw fail(file, index, name, type, shape, "has " + scales + " scales but " + zeroPoints + " zero points (TFLite needs as many of each)");
    }
    if (scales == 0) {
      if (type == TensorType.INT8 || type == TensorType.INT16 || type == TensorType.INT64) {
        throw fail(file, index, name, type, shape, "has no scale");
      }
      return null;
    }
    if (!integer) {
      throw fail(file, index, name, type, shape, "is quantized but " + TensorTypes.name(type) + " is not an integer type");
    }
    int dimension = q.quantizedDimension();
    if (scales > 1) {
      if (!(constant)) {
        throw fail(file, index, name, type, shape, "is an activation quantized per channel; activations are quantized per tensor");
      }
      if (!(dimension >= 0 && dimension < shape.length && shape[dimension] == scales)) {
        throw fail(file, index, name, type, shape, "has " + scales + " scales along dimension " + dimension + " of " + java.util.Arrays.toString(shape));
      }
    } else if (!(dimension == 0)) {
      throw fail(file, index, name, type, shape, "is quantized per tensor but names quantized dimension " + dimension);
    }
    float[] scale = new float[scales];
    long[] zeroPoint = new long[scales];
    boolean bias = type == TensorType.INT32 || type == TensorType.INT64;
    for (int k = 0; k < scales; k++) {
      scale[k] = q.scale(k);
      zeroPoint[k] = q.zeroPoint(k);
      boolean saneScale = bias ? Float.isFinite(scale[k]) && scale[k] > 0 : scale[k] >= MIN_SCALE && scale[k] <= MAX_SCALE; // NaN fails both
      if (!saneScale) {
        throw fail(file, index, name, type, shape, "has scale " + scale[k] + (bias ? " (must be finite and > 0)" : " (allowed " + MIN_SCALE + ".." + MAX_SCALE + ")"));
      }
      boolean symmetric = type != TensorType.INT8 || scales > 1;
      if (symmetric ? zeroPoint[k] != 0 : !(zeroPoint[k] >= -128 && zeroPoint[k] <= 127)) {
        throw fail(file, index, name, type, shape, "has zero point " + zeroPoint[k] + (symmetric
            ? " (" + TensorTypes.name(type) + (scales > 1 ? " per channel" : "") + " is symmetric: 0)" : " (int8: -128..127)"));
      }
    }
    return new Quantization(scale, zeroPoint, dimension);
  }

  private static InvalidGraphException fail(String file, int index, String name, byte type, int[] shape, String problem) {
    return new InvalidGraphException(file, -1, Rule.QUANTIZATION, "tensor " + index + " '" + GraphValidator.shorten(name == null ? "" : name)
        + "' " + TensorTypes.name(type) + java.util.Arrays.toString(shape) + " " + problem);
  }
}
