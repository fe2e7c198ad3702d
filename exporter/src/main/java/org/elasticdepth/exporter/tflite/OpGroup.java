package org.elasticdepth.exporter.tflite;

/**
 * The parts of the transformer a quantization recipe treats separately: {@link Layers} tells the
 * {@link GraphBuilder} which part the operators it emits belong to.
 */
public enum OpGroup {
  /** LayerNorm: MEAN, SUB, MUL, ADD (epsilon), RSQRT, the normalising MUL and the affine MUL/ADD. */
  LAYER_NORM,
  /** The attention weights' SOFTMAX. */
  SOFTMAX,
  /** The two BATCH_MATMULs of attention (scores and context). */
  ATTENTION_MATMUL,
  /** The MLP's GELU. */
  GELU,
  /** Everything else: FULLY_CONNECTED, CONV_2D, residual ADDs, the attention scale, embeddings. */
  OTHER
}
