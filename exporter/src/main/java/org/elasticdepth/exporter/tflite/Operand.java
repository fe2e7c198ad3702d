package org.elasticdepth.exporter.tflite;

import java.util.Arrays;

/**
 * A tensor of a graph under construction: what one {@link GraphBuilder} operation returns and the
 * next one consumes (float32, or in an int8 graph int8/int16/float32; an int8 graph's constants have
 * no tensor index until their consumer encodes them). Only meaningful for the builder that created it.
 */
public final class Operand {
  final int index;
  private final String name;
  private final int[] shape;

  Operand(int index, String name, int[] shape) {
    this.index = index;
    this.name = name;
    this.shape = shape.clone();
  }

  public String name() {
    return name;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** Size of dimension {@code axis}; negative axes count from the end. */
  public int dim(int axis) {
    return shape[axis < 0 ? shape.length + axis : axis];
  }

  public int elementCount() {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
