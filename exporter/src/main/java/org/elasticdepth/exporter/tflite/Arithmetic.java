package org.elasticdepth.exporter.tflite;

import org.tensorflow.lite.schema.TensorType;

/** The type an operator computes in: int8 (TFLite's int8 spec), int16 activations (16x8 mode) or float32. */
public enum Arithmetic {
  INT8(TensorType.INT8),
  INT16(TensorType.INT16),
  FLOAT32(TensorType.FLOAT32);

  private final byte tensorType;

  Arithmetic(byte tensorType) {
    this.tensorType = tensorType;
  }

  /** The activations' {@link TensorType}. */
  public byte tensorType() {
    return tensorType;
  }
}
