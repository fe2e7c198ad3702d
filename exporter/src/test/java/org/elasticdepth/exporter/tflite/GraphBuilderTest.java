package org.elasticdepth.exporter.tflite;

import org.elasticdepth.runtime.bundle.Precision;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import org.junit.Test;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.SignatureDef;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.TensorType;

/** The flatbuffer as the schema reads it back, and the builder's shape checks. */
public class GraphBuilderTest {
  @Test
  public void writesAWellFormedModelWithAlignedBuffersAndASignature() {
    GraphBuilder g = new GraphBuilder("test", Precision.FP32);
    Operand x = g.input("x", 1, 3, 8);
    Operand y = g.fullyConnected(x, g.weight("w", new float[5 * 8], 5, 8), g.weight("b", new float[5], 5));
    g.output("y", g.gelu(y, false));
    byte[] bytes = g.toFlatBuffer();

    ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertTrue(Model.ModelBufferHasIdentifier(bb));
    Model model = Model.getRootAsModel(bb);
    assertEquals(3, model.version());
    assertEquals(0, model.buffers(0).dataLength()); // the empty sentinel
    for (int i = 1; i < model.buffersLength(); i++) {
      Buffer b = model.buffers(i);
      int offset = b.dataAsByteBuffer().position(); // absolute offset of the data in the file
      assertEquals("buffer " + i + " starts at " + offset, 0, offset % 16);
    }
    Set<Integer> codes = new HashSet<>();
    for (int i = 0; i < model.operatorCodesLength(); i++) {
      OperatorCode code = model.operatorCodes(i);
      assertEquals(Math.min(code.builtinCode(), 127), code.deprecatedBuiltinCode());
      codes.add(code.builtinCode());
    }
    assertEquals(Set.of(BuiltinOperator.FULLY_CONNECTED, BuiltinOperator.GELU), codes);
    SubGraph sub = model.subgraphs(0);
    assertEquals(1, sub.inputsLength());
    assertEquals(1, sub.outputsLength());
    assertArrayEquals(new int[] {1, 3, 5}, shape(sub, sub.outputs(0)));
    assertEquals(TensorType.FLOAT32, sub.tensors(sub.outputs(0)).type());
    SignatureDef signature = model.signatureDefs(0);
    assertEquals("serving_default", signature.signatureKey());
    assertEquals("x", signature.inputs(0).name());
    assertEquals("y", signature.outputs(0).name());
    assertEquals(sub.outputs(0), signature.outputs(0).tensorIndex());
    assertEquals(5 * 8 + 5, g.parameterCount());
    assertEquals(2L * 3 * 8 * 5, g.flops());
  }

  @Test
  public void fp16WeightsAreHalfFloatsBehindADequantize() {
    GraphBuilder g = new GraphBuilder("test", Precision.FP16);
    Operand w = g.weight("w", new float[] {1f, -2f, 0.5f, 3f}, 2, 2);
    g.output("y", g.add(g.input("x", 2, 2), w));
    Model model = Model.getRootAsModel(ByteBuffer.wrap(g.toFlatBuffer()));
    SubGraph sub = model.subgraphs(0);
    int dequantize = -1;
    for (int i = 0; i < model.operatorCodesLength(); i++) {
      if (model.operatorCodes(i).builtinCode() == BuiltinOperator.DEQUANTIZE) {
        dequantize = i;
        assertEquals(3, model.operatorCodes(i).version());
      }
    }
    assertTrue(dequantize >= 0);
    int halfTensor = -1;
    for (int i = 0; i < sub.operatorsLength(); i++) {
      if (sub.operators(i).opcodeIndex() == dequantize) {
        halfTensor = sub.operators(i).inputs(0);
      }
    }
    assertEquals(TensorType.FLOAT16, sub.tensors(halfTensor).type());
    Buffer data = model.buffers((int) sub.tensors(halfTensor).buffer());
    assertEquals(8, data.dataLength());
    assertEquals(0x3c00, (data.data(0) | data.data(1) << 8)); // 1.0 in half, little-endian
  }

  @Test
  public void shapeMistakesAreCaughtWhileBuilding() {
    GraphBuilder g = new GraphBuilder("test", Precision.FP32);
    Operand x = g.input("x", 1, 4, 8);
    assertThrows(IllegalArgumentException.class, () -> g.weight("w", new float[7], 2, 4));
    Operand w = g.weight("w", new float[6 * 7], 6, 7);
    Operand b = g.weight("b", new float[6], 6);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.fullyConnected(x, w, b));
    assertTrue(e.getMessage(), e.getMessage().contains("[6, 7]"));
    assertThrows(IllegalArgumentException.class, () -> g.reshape(x, 1, 5, 8));
    assertThrows(IllegalArgumentException.class, () -> g.add(x, g.input("z", 1, 3, 8)));
    assertThrows(IllegalArgumentException.class, () -> g.transpose(x, 0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> g.slice(x, new int[] {0, 3, 0}, new int[] {1, 2, 8}));
    assertThrows(IllegalArgumentException.class, () -> g.batchMatMul(x, x, false));
    assertThrows(IllegalArgumentException.class, () -> new GraphBuilder("empty", Precision.FP32).toFlatBuffer());
  }

  @Test
  public void shapeInference() {
    GraphBuilder g = new GraphBuilder("test", Precision.FP32);
    Operand x = g.input("x", 1, 4, 6);
    assertArrayEquals(new int[] {1, 4, 1}, g.mean(x, -1).shape());
    assertArrayEquals(new int[] {1, 6, 4}, g.transpose(x, 0, 2, 1).shape());
    assertArrayEquals(new int[] {1, 4, 4}, g.batchMatMul(x, x, true).shape());
    assertArrayEquals(new int[] {1, 9, 6}, g.concat(1, x, g.input("y", 1, 5, 6)).shape());
    assertArrayEquals(new int[] {1, 1, 6}, g.slice(x, new int[] {0, 0, 0}, new int[] {1, 1, 6}).shape());
    assertArrayEquals(new int[] {1, 4, 6}, g.add(x, g.scalar("one", 1f)).shape());
    Operand image = g.input("image", 1, 8, 8, 3);
    Operand conv = g.conv2d(image, g.weight("f", new float[5 * 4 * 4 * 3], 5, 4, 4, 3), g.weight("fb", new float[5], 5), 4);
    assertArrayEquals(new int[] {1, 2, 2, 5}, conv.shape());
  }

  private static int[] shape(SubGraph sub, int tensor) {
    int[] shape = new int[sub.tensors(tensor).shapeLength()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = sub.tensors(tensor).shape(i);
    }
    return shape;
  }
}
