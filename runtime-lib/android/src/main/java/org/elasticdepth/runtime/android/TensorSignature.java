package org.elasticdepth.runtime.android;

import java.util.Arrays;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;

/**
 * One input or output tensor as the interpreter reports it, compared with the manifest before a
 * graph is used: a bundle whose graph files disagree with its manifest must fail with a message,
 * not feed wrongly sized buffers to native code ({@link GraphSignatureException} is a {@code
 * GraphException}).
 *
 * @param name the interpreter's tensor name (for messages only: exporters may name tensors freely)
 * @param shape the interpreter's shape
 * @param dataType the interpreter's data type name, e.g. {@code "FLOAT32"}
 */
record TensorSignature(String name, int[] shape, String dataType) {
  TensorSignature {
    shape = shape.clone();
  }

  /**
   * Checks that {@code graph}'s interpreter has exactly the manifest's float32 inputs and outputs,
   * in the manifest's order and with its shapes.
   *
   * @throws GraphSignatureException naming the graph, the tensor and both shapes on the first
   *     difference
   */
  static void check(Graph graph, List<TensorSignature> inputs, List<TensorSignature> outputs) {
    checkSide(graph, "input", graph.inputs(), inputs);
    checkSide(graph, "output", graph.outputs(), outputs);
  }

  private static void checkSide(Graph graph, String side, List<Tensor> expected, List<TensorSignature> actual) {
    if (expected.size() != actual.size()) {
      throw new GraphSignatureException(graph.file() + " has " + actual.size() + " " + side + " tensor(s) but the manifest lists "
          + expected.size() + " " + expected);
    }
    for (int i = 0; i < expected.size(); i++) {
      Tensor want = expected.get(i);
      TensorSignature got = actual.get(i);
      if (!"FLOAT32".equals(got.dataType)) {
        throw new GraphSignatureException(graph.file() + " " + side + " " + i + " (" + got.name + ") is " + got.dataType
            + " but the runtime exchanges float32 tensors (manifest: " + want + ")");
      }
      if (!Arrays.equals(want.shape(), got.shape)) {
        throw new GraphSignatureException(graph.file() + " " + side + " " + i + " (" + got.name + ") has shape "
            + Arrays.toString(got.shape) + " but the manifest says " + want);
      }
    }
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSignature other && name.equals(other.name) && Arrays.equals(shape, other.shape)
        && dataType.equals(other.dataType);
  }

  @Override
  public int hashCode() {
    return (31 * name.hashCode() + Arrays.hashCode(shape)) * 31 + dataType.hashCode();
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape) + " " + dataType;
  }
}
