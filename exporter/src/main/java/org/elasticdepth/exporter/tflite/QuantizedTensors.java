package org.elasticdepth.exporter.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.lite.schema.QuantizationParametersT;
import org.tensorflow.lite.schema.TensorType;

/**
 * The arithmetic of TFLite's quantization spec: activation parameters from calibrated ranges,
 * int8 weights symmetric per output channel, integer biases at input scale x weight scale, and
 * per-tensor constants. Values are {@code real = scale * (q - zero_point)}.
 */
final class QuantizedTensors {
  /** Below this a range is treated as a point; keeps every scale finite and positive. */
  private static final float MIN_SPAN = 1e-8f;
  /**
   * The smallest scale written (2^-30): far below any useful resolution, and what the runtime's
   * graph validator accepts (an int16 epsilon of 1e-5 alone would get 1e-5/32767, about 3e-10).
   */
  static final float MIN_SCALE = 0x1p-30f;

  private QuantizedTensors() {}

  /** A constant's bytes with its quantization. */
  record Encoded(byte[] bytes, QuantizationParametersT quantization) {}

  /**
   * Parameters of an activation of {@code type} (INT8 or INT16) that holds {@code range}: int8
   * asymmetric over the range widened to include 0 (so 0 is exact), int16 symmetric (zero point 0).
   */
  static QuantizationParametersT activation(TensorRange range, byte type) {
    float lo = Math.min(0f, range.min());
    float hi = Math.max(0f, range.max());
    if (type == TensorType.INT16) {
      float scale = Math.max(Math.max(Math.max(-lo, hi), MIN_SPAN) / 32767f, MIN_SCALE);
      return params(new float[] {scale}, new long[] {0}, 0);
    }
    if (type != TensorType.INT8) {
      throw new IllegalArgumentException("activations are int8 or int16, not type " + TensorType.name(type));
    }
    float scale = Math.max(Math.max(hi - lo, MIN_SPAN) / 255f, MIN_SCALE);
    long zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
    return params(new float[] {scale}, new long[] {zeroPoint}, 0);
  }

  /** The fixed output parameters TFLite's SOFTMAX kernel requires: 1/256, -128 (int8); 1/32768, 0 (int16). */
  static QuantizationParametersT softmaxOutput(byte type) {
    return type == TensorType.INT16
        ? params(new float[] {1f / 32768f}, new long[] {0}, 0)
        : params(new float[] {1f / 256f}, new long[] {-128}, 0);
  }

  /** int8 weights of {@code shape}, symmetric per slice of dimension 0 (the output channel), in [-127, 127]. */
  static Encoded perChannelWeights(float[] values, int[] shape) {
    int channels = shape[0];
    int perChannel = values.length / channels;
    float[] scales = new float[channels];
    byte[] bytes = new byte[values.length];
    for (int c = 0; c < channels; c++) {
      float maxAbs = 0;
      for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(values[i]));
      }
      scales[c] = Math.max(Math.max(maxAbs, MIN_SPAN) / 127f, MIN_SCALE);
      for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
        bytes[i] = (byte) clamp(Math.round(values[i] / scales[c]), -127, 127);
      }
    }
    return new Encoded(bytes, params(scales, new long[channels], 0));
  }

  /**
   * A bias for a matrix product whose input has scale {@code inputScale} and whose weights have
   * {@code weightScales} per output channel: scale[c] = inputScale x weightScales[c], zero point 0;
   * INT32 for int8 inputs, INT64 for int16 inputs (16x8 mode).
   */
  static Encoded bias(float[] values, float inputScale, float[] weightScales, byte type) {
    float[] scales = new float[values.length];
    boolean wide = type == TensorType.INT64;
    ByteBuffer bytes = ByteBuffer.allocate(values.length * (wide ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
    for (int c = 0; c < values.length; c++) {
      scales[c] = inputScale * weightScales[c];
      long q = Math.round((double) values[c] / scales[c]);
      if (wide) {
        bytes.putLong(q);
      } else {
        bytes.putInt((int) clamp(q, Integer.MIN_VALUE, Integer.MAX_VALUE));
      }
    }
    return new Encoded(bytes.array(), params(scales, new long[values.length], 0));
  }

  /** A constant quantized per tensor, as an activation of {@code type} holding exactly its values. */
  static Encoded perTensor(float[] values, byte type) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return withParams(values, type, activation(new TensorRange(min, max), type));
  }

  /** A constant encoded with given per-tensor parameters (e.g. those of a concatenation's output). */
  static Encoded withParams(float[] values, byte type, QuantizationParametersT q) {
    float scale = q.getScale()[0];
    long zeroPoint = q.getZeroPoint()[0];
    boolean wide = type == TensorType.INT16;
    ByteBuffer bytes = ByteBuffer.allocate(values.length * (wide ? 2 : 1)).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      long quantized = Math.round(v / scale) + zeroPoint;
      if (wide) {
        bytes.putShort((short) clamp(quantized, -32768, 32767));
      } else {
        bytes.put((byte) clamp(quantized, -128, 127));
      }
    }
    return new Encoded(bytes.array(), q);
  }

  static QuantizationParametersT params(float[] scales, long[] zeroPoints, int quantizedDimension) {
    QuantizationParametersT q = new QuantizationParametersT();
    q.setScale(scales);
    q.setZeroPoint(zeroPoints);
    q.setQuantizedDimension(quantizedDimension);
    return q;
  }

  private static long clamp(long v, long lo, long hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
