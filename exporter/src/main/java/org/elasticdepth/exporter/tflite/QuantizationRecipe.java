package org.elasticdepth.exporter.tflite;

import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Which arithmetic each {@link OpGroup} computes in, in an int8 graph: int8 unless the recipe
 * says int16 (TFLite's 16x8 mode: int16 activations, int8 weights) or float32 (a float island
 * between a DEQUANTIZE and a QUANTIZE). The matrix products ({@link OpGroup#OTHER}) stay int8:
 * they are what int8 is for. {@link #dynamicRangeInt8()} is the one exception, kept for measurement.
 */
public record QuantizationRecipe(Map<OpGroup, Arithmetic> groups, boolean dynamicRange) {
  public QuantizationRecipe {
    groups = Map.copyOf(groups);
    if (dynamicRange) {
      if (groups.values().stream().anyMatch(a -> a != Arithmetic.FLOAT32) || groups.size() != OpGroup.values().length) {
        throw new IllegalArgumentException("dynamic range computes everything in float32");
      }
    } else if (groups.containsKey(OpGroup.OTHER) && groups.get(OpGroup.OTHER) != Arithmetic.INT8) {
      throw new IllegalArgumentException("the matrix products and residuals (OTHER) stay int8 in an int8 recipe");
    }
    if (groups.get(OpGroup.GELU) == Arithmetic.INT16) {
      throw new IllegalArgumentException("TFLite has no int16 GELU kernel: GELU is int8 or float32");
    }
  }

  public QuantizationRecipe(Map<OpGroup, Arithmetic> groups) {
    this(groups, false);
  }

  /** Everything in int8. */
  public static QuantizationRecipe allInt8() {
    return new QuantizationRecipe(Map.of());
  }

  /**
   * Dynamic-range quantization, for measurement: int8 weights of the matrix products (symmetric
   * per output channel), float32 activations and biases everywhere, TFLite's hybrid kernels
   * quantizing each input on the fly. Not a bundle precision.
   */
  public static QuantizationRecipe dynamicRangeInt8() {
    Map<OpGroup, Arithmetic> all = new EnumMap<>(OpGroup.class);
    for (OpGroup g : OpGroup.values()) {
      all.put(g, Arithmetic.FLOAT32);
    }
    return new QuantizationRecipe(all, true);
  }

  /** This recipe with {@code group} computed in {@code arithmetic}. */
  public QuantizationRecipe with(OpGroup group, Arithmetic arithmetic) {
    Map<OpGroup, Arithmetic> changed = new EnumMap<>(OpGroup.class);
    changed.putAll(groups);
    changed.put(group, arithmetic);
    return new QuantizationRecipe(changed, dynamicRange);
  }

  public Arithmetic arithmetic(OpGroup group) {
    return groups.getOrDefault(group, Arithmetic.INT8);
  }

  /** E.g. {@code "int8"} or {@code "int8, LAYER_NORM int16, SOFTMAX float32"}. */
  public String describe() {
    if (dynamicRange) {
      return "dynamic range (int8 weights, float32 activations)";
    }
    StringJoiner text = new StringJoiner(", ");
    text.add("int8");
    for (OpGroup g : OpGroup.values()) {
      if (arithmetic(g) != Arithmetic.INT8) {
        text.add(g + " " + arithmetic(g).name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return text.toString();
  }
}
