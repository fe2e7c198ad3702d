package org.elasticdepth.exporter.quantize;

import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import org.elasticdepth.exporter.calibrate.LayerPredictions;
import org.elasticdepth.exporter.export.RandomWeights;
import org.elasticdepth.exporter.export.TinyModels;
import org.elasticdepth.exporter.export.VitGraphs;
import org.elasticdepth.exporter.export.VitWeights;
import org.elasticdepth.exporter.tflite.Arithmetic;
import org.elasticdepth.exporter.tflite.OpGroup;
import org.elasticdepth.exporter.tflite.QuantizationRecipe;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.junit.Test;

public class Int8GraphsTest {
  @Test
  public void int8GraphsAgreeWithFloat() {
    Model model = TinyModels.tiny();
    VitWeights weights = RandomWeights.create(model, 3);
    VitGraphs fp32 = new VitGraphs(model, weights, Precision.FP32);
    int floats = model.imageSize() * model.imageSize() * model.channels();
    float[] calibration = RandomWeights.images(32, floats, 1);
    TensorRanges ranges = RangeCalibration.measure(fp32, calibration, 32);
    int n = 64;
    float[] images = RandomWeights.images(n, floats, 2);
    int[] labels = new int[n];
    for (QuantizationRecipe recipe : new QuantizationRecipe[] {QuantizationRecipe.allInt8(),
        QuantizationRecipe.allInt8().with(OpGroup.LAYER_NORM, Arithmetic.INT16).with(OpGroup.SOFTMAX, Arithmetic.INT16),
        QuantizationRecipe.allInt8().with(OpGroup.LAYER_NORM, Arithmetic.FLOAT32).with(OpGroup.GELU, Arithmetic.FLOAT32)}) {
      VitGraphs int8 = new VitGraphs(model, weights, new VitGraphs.Int8(ranges, recipe));
      try (DesktopExecutor executor = DesktopExecutor.create()) {
        LayerPredictions a = LayerEvaluation.run(fp32, executor, images, labels);
        LayerPredictions b = LayerEvaluation.run(int8, executor, images, labels);
        double[] agree = new double[model.depth()];
        for (int l = 0; l < agree.length; l++) {
          agree[l] = LayerEvaluation.agreement(a, b, l);
        }
        System.out.println(recipe.describe() + " agreement " + Arrays.toString(agree));
        assertTrue(Arrays.toString(agree), agree[model.depth() - 1] > 0.8);
      }
    }
  }
}
