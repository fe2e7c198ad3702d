package org.elasticdepth.runtime.bundle.graph;

/**
 * What {@link GraphValidator} learned about a valid graph.
 *
 * @param operators number of operators
 * @param tensors number of tensors
 * @param activationBytes upper bound on the activation memory an interpreter allocates for the
 *     graph under TFLite's own kernels: every non-constant tensor (64-byte aligned, as if none
 *     shared memory) plus the kernels' temporaries (im2col, transposed matmul operands, reduction
 *     sums). The real arena is smaller because TFLite reuses memory between tensors.
 * @param constantBytes bytes of constant tensor data (weights and int32 operands)
 */
public record GraphStructure(int operators, int tensors, long activationBytes, long constantBytes) {}
