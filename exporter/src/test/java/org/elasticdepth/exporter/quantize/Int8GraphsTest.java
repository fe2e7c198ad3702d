package org.elasticdepth.exporter.quantize;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.exporter.calibrate.LayerPredictions;
import org.elasticdepth.exporter.export.RandomWeights;
import org.elasticdepth.exporter.export.TinyModels;
import org.elasticdepth.exporter.export.VitGraphs;
import org.elasticdepth.exporter.export.VitGraphs.BuiltGraph;
import org.elasticdepth.exporter.export.VitWeights;
import org.elasticdepth.exporter.tflite.QuantizationRecipe;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.DesktopGraph;
import org.junit.Test;

/**
 * int8 graphs on desktop TFLite: each passes TFLite's flatbuffer verifier ({@code
 * FlatBufferModel.VerifyAndBuildFromBuffer}, which {@link DesktopExecutor#load} runs before building
 * an interpreter), builds, runs, and chained stem -> blocks -> head agrees with float32.
 */
public class Int8GraphsTest {
  private static final Model MODEL = TinyModels.tiny();
  private static final int FLOATS = 28 * 28;

  @Test
  public void everyRecipeVerifiesRunsAndAgreesWithFloat32() {
    VitWeights weights = RandomWeights.create(MODEL, 3);
    VitGraphs fp32 = new VitGraphs(MODEL, weights, Precision.FP32);
    TensorRanges ranges = RangeCalibration.measure(fp32, RandomWeights.images(32, FLOATS, 1), 32);
    assertEquals(32, ranges.images());
    int n = 64;
    float[] images = RandomWeights.images(n, FLOATS, 2); // not the calibration images
    try (DesktopExecutor executor = DesktopExecutor.create()) {
      LayerPredictions reference = LayerEvaluation.run(fp32, executor, images, new int[n]);
      for (QuantizationRecipe recipe : Int8Quantizer.candidates()) {
        VitGraphs int8 = new VitGraphs(MODEL, weights, new VitGraphs.Int8(ranges, recipe));
        for (BuiltGraph g : all(int8)) {
          ByteBuffer bytes = ByteBuffer.allocateDirect(g.bytes().length).put(g.bytes()).flip();
          try (DesktopGraph loaded = executor.load(g.manifestEntry(), bytes)) {
            assertEquals(g.file(), g.outputs().size(), loaded.run(ByteBuffer.allocateDirect(
                4 * g.inputs().get(0).elementCount()).order(java.nio.ByteOrder.nativeOrder())).length);
          }
        }
        LayerPredictions quantized = LayerEvaluation.run(int8, executor, images, new int[n]);
        for (int l = 0; l < MODEL.depth(); l++) {
          // random weights make near-ties: a broken scale or zero point gives ~10 %, quantization noise a few misses
          double agreement = LayerEvaluation.agreement(reference, quantized, l);
          assertTrue(recipe.describe() + " layer " + (l + 1) + ": " + agreement, agreement >= 0.6);
        }
      }
    }
  }

  private static List<BuiltGraph> all(VitGraphs v) {
    List<BuiltGraph> all = new ArrayList<>(List.of(v.stem(), v.head(), v.full()));
    for (int l = 1; l <= MODEL.depth(); l++) {
      all.add(v.block(l));
    }
    return all;
  }
}
