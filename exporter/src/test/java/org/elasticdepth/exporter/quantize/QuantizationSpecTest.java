package org.elasticdepth.exporter.quantize;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.exporter.export.RandomWeights;
import org.elasticdepth.exporter.export.TinyModels;
import org.elasticdepth.exporter.export.VitGraphs;
import org.elasticdepth.exporter.export.VitGraphs.BuiltGraph;
import org.elasticdepth.exporter.export.VitWeights;
import org.elasticdepth.exporter.tflite.Arithmetic;
import org.elasticdepth.exporter.tflite.OpGroup;
import org.elasticdepth.exporter.tflite.QuantizationRecipe;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.Precision;
import org.junit.BeforeClass;
import org.junit.Test;
import org.tensorflow.lite.schema.AddOptions;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.SubOptions;
import org.tensorflow.lite.schema.Tensor;
import org.tensorflow.lite.schema.TensorType;

/**
 * The int8 graphs read back with the TFLite schema and checked against TFLite's quantization spec
 * and ISSUE13's contract 1, independently of how the builder computes them: float32 signature with
 * QUANTIZE/DEQUANTIZE at the boundary, per-channel symmetric int8 weights, biases at input scale x
 * weight scale, SOFTMAX's fixed output parameters, and the operator versions of op_version.cc.
 */
public class QuantizationSpecTest {
  private static final BundleManifest.Model MODEL = TinyModels.rgb();
  private static final QuantizationRecipe MIXED = QuantizationRecipe.allInt8()
      .with(OpGroup.LAYER_NORM, Arithmetic.INT16).with(OpGroup.SOFTMAX, Arithmetic.INT16)
      .with(OpGroup.ATTENTION_MATMUL, Arithmetic.INT16);
  private static final QuantizationRecipe ISLANDS = QuantizationRecipe.allInt8()
      .with(OpGroup.LAYER_NORM, Arithmetic.FLOAT32).with(OpGroup.GELU, Arithmetic.FLOAT32);
  private static VitWeights weights;
  private static TensorRanges ranges;

  @BeforeClass
  public static void calibrate() {
    weights = RandomWeights.create(MODEL, 21);
    int floats = MODEL.imageSize() * MODEL.imageSize() * MODEL.channels();
    ranges = RangeCalibration.measure(new VitGraphs(MODEL, weights, Precision.FP32),
        RandomWeights.images(8, floats, 22), 8);
  }

  @Test
  public void everyGraphOfEveryRecipeFollowsTheSpec() {
    int checkedMatrixProducts = 0;
    for (QuantizationRecipe recipe : List.of(QuantizationRecipe.allInt8(), MIXED, ISLANDS)) {
      for (BuiltGraph g : graphs(recipe)) {
        checkedMatrixProducts += check(g.file() + " (" + recipe.describe() + ")", g.bytes());
      }
    }
    // rgb model, 2 blocks: stem conv + 6 FC per block + head FC, for the two integer recipes and the islands one
    assertEquals(3 * (1 + 2 * 6 + 1) * 2, checkedMatrixProducts);
  }

  @Test
  public void recipesPutTheirGroupsInTheirArithmetic() {
    BuiltGraph mixed = new VitGraphs(MODEL, weights, new VitGraphs.Int8(ranges, MIXED)).block(1);
    assertEquals(List.of("ADD", "BATCH_MATMUL", "MEAN", "MUL", "RESHAPE", "SOFTMAX", "SUB", "TRANSPOSE"),
        new ArrayList<>(mixed.int16Ops()));
    // TFLite 2.16.1 has no int16 RSQRT: a one-operator float island inside the 16x8 LayerNorm
    assertEquals(List.of("RSQRT"), new ArrayList<>(mixed.floatOps()));
    BuiltGraph islands = new VitGraphs(MODEL, weights, new VitGraphs.Int8(ranges, ISLANDS)).block(1);
    assertEquals(List.of("ADD", "GELU", "MEAN", "MUL", "RSQRT", "SUB"), new ArrayList<>(islands.floatOps()));
    assertTrue(islands.int16Ops().isEmpty());
    BuiltGraph int8 = new VitGraphs(MODEL, weights, new VitGraphs.Int8(ranges, QuantizationRecipe.allInt8())).block(1);
    assertTrue(int8.int16Ops().isEmpty() && int8.floatOps().isEmpty());
  }

  private static List<BuiltGraph> graphs(QuantizationRecipe recipe) {
    VitGraphs v = new VitGraphs(MODEL, weights, new VitGraphs.Int8(ranges, recipe));
    List<BuiltGraph> all = new ArrayList<>(List.of(v.stem(), v.head(), v.full()));
    for (int l = 1; l <= MODEL.depth(); l++) {
      all.add(v.block(l));
    }
    return all;
  }

  /** Checks one graph; returns how many FULLY_CONNECTED/CONV_2D with integer input it checked. */
  private static int check(String what, byte[] bytes) {
    Model model = Model.getRootAsModel(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    SubGraph s = model.subgraphs(0);
    Map<Integer, Integer> producer = new HashMap<>();
    Map<Integer, List<Integer>> consumers = new HashMap<>();
    for (int o = 0; o < s.operatorsLength(); o++) {
      Operator op = s.operators(o);
      for (int i = 0; i < op.outputsLength(); i++) {
        producer.put(op.outputs(i), o);
      }
      for (int i = 0; i < op.inputsLength(); i++) {
        consumers.computeIfAbsent(op.inputs(i), k -> new ArrayList<>()).add(o);
      }
    }
    for (int i = 0; i < s.inputsLength(); i++) {
      assertEquals(what, TensorType.FLOAT32, s.tensors(s.inputs(i)).type());
      for (int o : consumers.get(s.inputs(i))) {
        assertEquals(what + ": a graph input feeds only QUANTIZE", BuiltinOperator.QUANTIZE, builtin(model, s.operators(o)));
      }
    }
    for (int i = 0; i < s.outputsLength(); i++) {
      assertEquals(what, TensorType.FLOAT32, s.tensors(s.outputs(i)).type());
      assertEquals(what + ": outputs come from DEQUANTIZE", BuiltinOperator.DEQUANTIZE,
          builtin(model, s.operators(producer.get(s.outputs(i)))));
    }
    Map<Integer, Integer> neededVersion = new HashMap<>();
    int matrixProducts = 0;
    for (int o = 0; o < s.operatorsLength(); o++) {
      Operator op = s.operators(o);
      int code = builtin(model, op);
      Tensor in = s.tensors(op.inputs(0));
      Tensor out = s.tensors(op.outputs(0));
      neededVersion.merge(code, expectedVersion(code, op, s), Math::max);
      checkActivation(what, out);
      if ((code == BuiltinOperator.FULLY_CONNECTED || code == BuiltinOperator.CONV_2D) && in.type() != TensorType.FLOAT32) {
        checkMatrixProduct(what, model, s, op);
        matrixProducts++;
      }
      if (code == BuiltinOperator.SOFTMAX && out.type() == TensorType.INT8) {
        assertEquals(what, 1f / 256, out.quantization().scale(0), 0f);
        assertEquals(what, -128, out.quantization().zeroPoint(0));
      }
      if (code == BuiltinOperator.SOFTMAX && out.type() == TensorType.INT16) {
        assertEquals(what, 1f / 32768, out.quantization().scale(0), 0f);
        assertEquals(what, 0, out.quantization().zeroPoint(0));
      }
      if (code == BuiltinOperator.ADD && in.type() == TensorType.INT16) {
        assertTrue(what, !((AddOptions) op.builtinOptions(new AddOptions())).potScaleInt16());
      }
      if (code == BuiltinOperator.SUB && in.type() == TensorType.INT16) {
        assertTrue(what, !((SubOptions) op.builtinOptions(new SubOptions())).potScaleInt16());
      }
    }
    for (int c = 0; c < model.operatorCodesLength(); c++) {
      OperatorCode code = model.operatorCodes(c);
      assertEquals(what + ": version of " + BuiltinOperator.name(code.builtinCode()),
          (int) neededVersion.get(code.builtinCode()), code.version());
    }
    return matrixProducts;
  }

  private static void checkActivation(String what, Tensor t) {
    QuantizationParameters q = t.quantization();
    if (t.type() == TensorType.INT8 || t.type() == TensorType.INT16) {
      assertEquals(what, 1, q.scaleLength());
      assertTrue(what, Float.isFinite(q.scale(0)) && q.scale(0) > 0);
      if (t.type() == TensorType.INT8) {
        assertTrue(what, q.zeroPoint(0) >= -128 && q.zeroPoint(0) <= 127);
      } else {
        assertEquals(what + ": int16 activations are symmetric", 0, q.zeroPoint(0));
      }
    } else {
      assertEquals(what + ": float tensors carry no quantization", TensorType.FLOAT32, t.type());
    }
  }

  private static void checkMatrixProduct(String what, Model model, SubGraph s, Operator op) {
    Tensor in = s.tensors(op.inputs(0));
    Tensor w = s.tensors(op.inputs(1));
    Tensor b = s.tensors(op.inputs(2));
    int channels = w.shape(0);
    assertEquals(what, TensorType.INT8, w.type());
    assertEquals(what + ": one weight scale per output channel", channels, w.quantization().scaleLength());
    assertEquals(what, 0, w.quantization().quantizedDimension());
    ByteBuffer data = model.buffers((int) w.buffer()).dataAsByteBuffer();
    for (int i = data.position(); i < data.limit(); i++) {
      assertTrue(what + ": weights in [-127, 127]", data.get(i) >= -127);
    }
    assertEquals(what, in.type() == TensorType.INT16 ? TensorType.INT64 : TensorType.INT32, b.type());
    float inputScale = in.quantization().scale(0);
    for (int c = 0; c < channels; c++) {
      assertEquals(what, 0, w.quantization().zeroPoint(c));
      assertEquals(what, 0, b.quantization().zeroPoint(c));
      assertEquals(what + ": bias scale = input scale x weight scale", inputScale * w.quantization().scale(c),
          b.quantization().scale(c), 0f);
    }
  }

  private static int builtin(Model model, Operator op) {
    return model.operatorCodes((int) op.opcodeIndex()).builtinCode();
  }

  /** TFLite 2.16's op_version.cc for the type signatures these graphs use. */
  private static int expectedVersion(int code, Operator op, SubGraph s) {
    byte in = s.tensors(op.inputs(0)).type();
    byte out = s.tensors(op.outputs(0)).type();
    boolean i8 = in == TensorType.INT8;
    boolean i16 = in == TensorType.INT16;
    switch (code) {
      case BuiltinOperator.FULLY_CONNECTED:
        return 5; // keep_num_dims
      case BuiltinOperator.CONV_2D:
        return i8 ? 3 : 1;
      case BuiltinOperator.QUANTIZE:
        return out == TensorType.INT16 ? 2 : 1;
      case BuiltinOperator.DEQUANTIZE:
        return i16 || in == TensorType.FLOAT16 ? 3 : i8 ? 2 : 1;
      case BuiltinOperator.ADD:
        return i16 ? 3 : i8 ? 2 : 1;
      case BuiltinOperator.SUB:
        return i16 ? 5 : i8 ? 2 : 1;
      case BuiltinOperator.MUL: {
        if (i16) {
          return 4;
        }
        if (i8) {
          float rescale = s.tensors(op.inputs(0)).quantization().scale(0) * s.tensors(op.inputs(1)).quantization().scale(0)
              / s.tensors(op.outputs(0)).quantization().scale(0);
          return rescale >= 1 ? 3 : 2;
        }
        return 1;
      }
      case BuiltinOperator.RSQRT:
        assertTrue("TFLite 2.16.1 has no int16 RSQRT", !i16);
        return i8 ? 2 : 1;
      case BuiltinOperator.SOFTMAX:
      case BuiltinOperator.MEAN:
        return i16 ? 3 : i8 ? 2 : 1;
      case BuiltinOperator.BATCH_MATMUL:
        return i16 ? 3 : i8 ? 2 : 1;
      case BuiltinOperator.TRANSPOSE:
        return i16 ? 5 : i8 ? 2 : 1;
      case BuiltinOperator.SLICE:
        return i16 ? 4 : i8 ? 2 : 1;
      case BuiltinOperator.CONCATENATION:
        return i16 ? 3 : i8 ? 2 : 1;
      case BuiltinOperator.GELU:
        return i8 ? 2 : 1;
      case BuiltinOperator.RESHAPE:
        return 1;
      default:
        throw new AssertionError("unexpected operator " + BuiltinOperator.name(code));
    }
  }
}
