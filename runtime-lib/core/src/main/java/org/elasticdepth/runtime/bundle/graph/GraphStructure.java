package org.elasticdepth.runtime.bundle.graph;

/**
 * What {@link GraphValidator} learned about a valid graph.
 *
 * @param operators number of operators
 * @param tensors number of tensors
 * @param activationBytes upper bound on the activation memory an interpreter allocates for the
 *     graph under TFLite's own kernels: every non-constant tensor (64-byte aligned, as if none
 *     shared memory) each at its element size (float32 4, int16 2, int8 1), plus the kernels' temporaries (im2col, transposed matmul operands, reduction
 *     sums). The real arena is smaller because TFLite reuses memory between tensors.
 * @param constantBytes bytes of constant tensor data (weights, biases and int32 operands)
 * @param profile how the weights are stored and which operators compute in which type
 */
public record GraphStructure(int operators, int tensors, long activationBytes, long constantBytes, GraphProfile profile) {}
