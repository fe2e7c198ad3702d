package org.elasticdepth.exporter.tflite;

/**
 * The transformer's math on top of a {@link GraphBuilder}: each method is one line of the model's
 * definition and emits the TFLite operators for it. Shapes: tokens are {@code [1, N, D]}.
 */
public final class Layers {
  /** A Linear layer's constants: {@code weight [out, in]}, {@code bias [out]}. */
  public record Linear(Operand weight, Operand bias) {}

  /** A LayerNorm's constants: {@code gamma [D]}, {@code beta [D]}. */
  public record Norm(Operand gamma, Operand beta) {}

  /** Multi-head self-attention: query, key, value and output projections, each {@code [D, D]}. */
  public record Attention(Linear query, Linear key, Linear value, Linear output, int heads) {}

  private final GraphBuilder g;

  public Layers(GraphBuilder graph) {
    this.g = graph;
  }

  /**
   * LayerNorm over the last axis, as PyTorch computes it: {@code (x - mean) / sqrt(var + eps) *
   * gamma + beta} with the biased variance. Built from MEAN, SUB, MUL, ADD and RSQRT, which XNNPACK
   * and the GPU delegate both take.
   */
  public Operand layerNorm(Operand x, Norm norm, float epsilon) {
    OpGroup previous = g.group(OpGroup.LAYER_NORM);
    Operand mean = g.mean(x, -1);
    Operand centred = g.sub(x, mean);
    Operand variance = g.mean(g.mul(centred, centred), -1);
    Operand inverseStd = g.rsqrt(g.add(variance, g.scalar("epsilon", epsilon)));
    Operand out = g.add(g.mul(g.mul(centred, inverseStd), norm.gamma()), norm.beta());
    g.group(previous);
    return out;
  }

  /** {@code x W^T + b} over the last axis. */
  public Operand linear(Operand x, Linear layer) {
    return g.fullyConnected(x, layer.weight(), layer.bias());
  }

  /** GELU, exact (erf) unless {@code approximate}. */
  public Operand gelu(Operand x, boolean approximate) {
    OpGroup previous = g.group(OpGroup.GELU);
    Operand out = g.gelu(x, approximate);
    g.group(previous);
    return out;
  }

  /** The residual connection {@code x + branch}. */
  public Operand residual(Operand x, Operand branch) {
    return g.add(x, branch);
  }

  /**
   * {@code softmax(q k^T / sqrt(dh)) v} per head, heads concatenated, then the output projection.
   * Heads are split with RESHAPE to {@code [1, N, H, dh]} and a rank-4 TRANSPOSE (no GATHER, no
   * STRIDED_SLICE), so the whole attention stays inside one delegate partition.
   */
  public Operand selfAttention(Operand x, Attention attention) {
    int tokens = x.dim(1);
    int dim = x.dim(2);
    int heads = attention.heads();
    if (dim % heads != 0) {
      throw new IllegalArgumentException("dim " + dim + " is not divisible by " + heads + " heads");
    }
    int headDim = dim / heads;
    Operand q = g.mul(linear(x, attention.query()), g.scalar("attention_scale", (float) (1.0 / Math.sqrt(headDim))));
    Operand k = linear(x, attention.key());
    Operand v = linear(x, attention.value());
    Operand qHeads = g.transpose(g.reshape(q, 1, tokens, heads, headDim), 0, 2, 1, 3); // [1, H, N, dh]
    Operand kHeadsT = g.transpose(g.reshape(k, 1, tokens, heads, headDim), 0, 2, 3, 1); // [1, H, dh, N]
    Operand vHeads = g.transpose(g.reshape(v, 1, tokens, heads, headDim), 0, 2, 1, 3); // [1, H, N, dh]
    OpGroup previous = g.group(OpGroup.ATTENTION_MATMUL);
    Operand scores = g.batchMatMul(qHeads, kHeadsT, false); // [1, H, N, N]
    g.group(OpGroup.SOFTMAX);
    Operand weights = g.softmax(scores);
    g.group(OpGroup.ATTENTION_MATMUL);
    Operand context = g.batchMatMul(weights, vHeads, false); // [1, H, N, dh]
    g.group(previous);
    Operand merged = g.reshape(g.transpose(context, 0, 2, 1, 3), 1, tokens, dim);
    return linear(merged, attention.output());
  }

  /** The MLP branch {@code fc2(gelu(fc1(x)))}. */
  public Operand mlp(Operand x, Linear fc1, Linear fc2, boolean approximateGelu) {
    return linear(gelu(linear(x, fc1), approximateGelu), fc2);
  }

  /** Token 0 (the CLS token) of {@code tokens [1, N, D]} as {@code [1, D]}: a rank-kept SLICE and a RESHAPE. */
  public Operand firstToken(Operand tokens) {
    int dim = tokens.dim(2);
    return g.reshape(g.slice(tokens, new int[] {0, 0, 0}, new int[] {1, 1, dim}), 1, dim);
  }
}
