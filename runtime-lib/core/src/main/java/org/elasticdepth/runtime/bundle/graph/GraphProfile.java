package org.elasticdepth.runtime.bundle.graph;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.elasticdepth.runtime.bundle.Precision;
import org.tensorflow.lite.schema.TensorType;

/**
 * What a valid graph actually holds, as {@link GraphValidator} found it: how its weights are
 * stored and in which type each of its operators computes. The bundle compares it with what the
 * manifest claims (a graph whose precision or quantization record disagrees is refused).
 *
 * @param weightTypes storage types of the weights of FULLY_CONNECTED and CONV_2D (float16 when a
 *     float32 weight is the DEQUANTIZE of a float16 constant); empty when the graph has neither
 * @param float32Ops builtin-operator names (e.g. "MEAN") computing in float32, QUANTIZE and
 *     DEQUANTIZE excluded
 * @param int8Ops builtin-operator names computing in int8
 * @param int16Ops builtin-operator names computing in int16 (16x8: int16 activations, int8 weights)
 */
public record GraphProfile(Set<WeightType> weightTypes, SortedSet<String> float32Ops, SortedSet<String> int8Ops, SortedSet<String> int16Ops) {
  /** How weights are stored in the file. */
  public enum WeightType {
    FLOAT32,
    FLOAT16,
    INT8
  }

  public GraphProfile {
    weightTypes = Collections.unmodifiableSet(weightTypes.isEmpty() ? EnumSet.noneOf(WeightType.class) : EnumSet.copyOf(weightTypes));
    float32Ops = Collections.unmodifiableSortedSet(new TreeSet<>(float32Ops));
    int8Ops = Collections.unmodifiableSortedSet(new TreeSet<>(int8Ops));
    int16Ops = Collections.unmodifiableSortedSet(new TreeSet<>(int16Ops));
  }

  /** INT8 when any weight is int8, FP16 when weights are float16, else FP32. */
  public Precision precision() {
    if (weightTypes.contains(WeightType.INT8)) {
      return Precision.INT8;
    }
    return weightTypes.contains(WeightType.FLOAT16) ? Precision.FP16 : Precision.FP32;
  }

  /** Collects a profile while the operators are checked. */
  static final class Builder {
    private final Set<WeightType> weights = EnumSet.noneOf(WeightType.class);
    private final SortedSet<String> float32 = new TreeSet<>();
    private final SortedSet<String> int8 = new TreeSet<>();
    private final SortedSet<String> int16 = new TreeSet<>();

    void weight(byte storageType) {
      weights.add(storageType == TensorType.INT8 ? WeightType.INT8 : storageType == TensorType.FLOAT16 ? WeightType.FLOAT16 : WeightType.FLOAT32);
    }

    void computes(String operator, byte type) {
      (type == TensorType.INT8 ? int8 : type == TensorType.INT16 ? int16 : float32).add(operator);
    }

    GraphProfile build() {
      return new GraphProfile(weights, float32, int8, int16);
    }
  }
}
