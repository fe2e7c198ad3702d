package org.elasticdepth.runtime.bundle.graph;

import org.elasticdepth.runtime.bundle.BundleException;

/**
 * A graph file breaks the structure the bundle format promises, found by {@link GraphValidator}
 * before any native code saw it. Names the file, the operator (or -1 when the defect is not in
 * one operator) and the {@link Rule} broken.
 */
public final class InvalidGraphException extends BundleException {
  /** The rule a graph broke. */
  public enum Rule {
    /** Not a TFLite flatbuffer of schema 3, or an offset, vtable, vector or string leaves the buffer. */
    FLATBUFFER,
    /** A table carries a field this format never writes (buffer offsets, metadata, custom options...). */
    UNKNOWN_FIELD,
    /** More or fewer than one subgraph, or more tensors/operators than any bundle graph has. */
    STRUCTURE,
    /** An operator code or version outside the vocabulary the exporter emits. */
    OPCODE,
    /** A tensor index out of range, -1 where no optional input exists, or the wrong arity. */
    TENSOR_INDEX,
    /** A tensor of a type the format does not use, or used where its type is not allowed. */
    TENSOR_TYPE,
    /** A shape with a rank or dimension outside the format's limits. */
    TENSOR_SHAPE,
    /**
     * A tensor's quantization is missing, malformed (scale zero, negative, NaN, infinite or out of
     * range; zero point outside its type; per-channel where per-tensor is needed) or contradicts
     * what its operator's TFLite kernel requires (bias scale, SOFTMAX output, equal parameters...).
     */
    QUANTIZATION,
    /** A constant's buffer is not exactly product(shape) x type size, or a buffer index is wrong. */
    BUFFER,
    /** A tensor read before it is written, written twice, or a constant/input overwritten. */
    DATAFLOW,
    /** Operator options (activation, padding, axes, permutation...) the format does not emit. */
    OPTIONS,
    /** A declared output shape differs from the one inferred from the operator's inputs. */
    SHAPE_INFERENCE,
    /** The graph's inputs/outputs (names, shapes, signature) differ from the manifest's. */
    SIGNATURE,
    /** The activation memory the graph needs exceeds the hard cap. */
    ARENA
  }

  private final String file;
  private final int operatorIndex;
  private final Rule rule;

  public InvalidGraphException(String file, int operatorIndex, Rule rule, String detail) {
    super(Problem.INVALID_GRAPH, file + (operatorIndex >= 0 ? ": operator " + operatorIndex : "") + ": " + rule + ": " + detail);
    this.file = file;
    this.operatorIndex = operatorIndex;
    this.rule = rule;
  }

  /** The graph file, as the manifest names it. */
  public String file() {
    return file;
  }

  /** Index of the offending operator in the subgraph, or -1. */
  public int operatorIndex() {
    return operatorIndex;
  }

  public Rule rule() {
    return rule;
  }
}
