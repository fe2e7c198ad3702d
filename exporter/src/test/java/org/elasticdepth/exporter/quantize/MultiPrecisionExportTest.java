package org.elasticdepth.exporter.quantize;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.exporter.calibrate.Calibrator;
import org.elasticdepth.exporter.calibrate.LayerPredictions;
import org.elasticdepth.exporter.data.FashionMnist;
import org.elasticdepth.exporter.export.BundleExporter;
import org.elasticdepth.exporter.export.ExportedBundle;
import org.elasticdepth.exporter.export.RandomWeights;
import org.elasticdepth.exporter.export.TinyModels;
import org.elasticdepth.exporter.export.TrainedModel;
import org.elasticdepth.exporter.export.VitGraphs;
import org.elasticdepth.exporter.export.VitWeights;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.BundleManifest.Quantization;
import org.elasticdepth.runtime.bundle.BundleManifest.Variant;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.junit.Test;

/** {@code export --precision fp32,fp16,int8} in memory: one manifest, three precisions, each its own. */
public class MultiPrecisionExportTest {
  private static final Model MODEL = TinyModels.tiny();
  private static final VitWeights WEIGHTS = RandomWeights.create(MODEL, 7);
  private static final int FLOATS = 28 * 28;

  @Test
  public void everyPrecisionHasItsOwnFilesCalibrationAndQuantizationRecord() {
    QuantizationData data = data();
    Calibration runCalibration = runCalibration(data);
    List<String> log = new ArrayList<>();
    ExportedBundle bundle = BundleExporter.export(MODEL, WEIGHTS, List.of(Precision.FP32, Precision.FP16, Precision.INT8),
        true, description(runCalibration), data, log::add);
    BundleManifest m = bundle.manifest();

    assertEquals(List.of(Precision.FP32, Precision.FP16, Precision.INT8), m.precisions());
    assertEquals(2, m.formatVersion());
    assertNull(m.quantization());
    assertEquals(runCalibration, m.calibration()); // fp32 keeps the run's own calibration
    Variant int8 = m.variant(Precision.INT8).orElseThrow();
    assertEquals("block_02.int8.tflite", int8.graphs().blocks().get(1).file());
    assertEquals("full.int8.tflite", int8.graphs().full().file());
    assertEquals(Precision.INT8, int8.graphs().stem().precision());
    assertEquals("stem.fp16.tflite", m.variant(Precision.FP16).orElseThrow().graphs().stem().file());
    assertEquals(3 * (MODEL.depth() + 3), bundle.files().size());
    for (BundleManifest.Graph g : m.allGraphs()) {
      assertEquals(g.file(), g.bytes(), bundle.files().get(g.file()).length);
    }

    Quantization q = int8.quantization();
    assertEquals(24, q.calibrationImages());
    String chosen = log.stream().filter(l -> l.startsWith("int8: chosen recipe")).findFirst().orElseThrow();
    assertEquals(chosen, chosen.contains("int16"), !q.int16Ops().isEmpty());
    assertEquals(chosen, chosen.contains("float32"), !q.floatOps().isEmpty());
    assertTrue(log.toString(), log.stream().anyMatch(l -> l.contains("recipe int8 ") && l.contains("last-layer agreement")));

    // each non-fp32 precision calibrated on its own outputs, with the run's settings
    for (Precision p : List.of(Precision.FP16, Precision.INT8)) {
      Calibration c = m.variant(p).orElseThrow().calibration();
      assertNotNull(p.label(), c);
      assertEquals(MODEL.depth(), c.layerAccuracy().size());
      assertEquals(runCalibration.targetAccuracyDrop(), c.targetAccuracyDrop(), 0);
      assertEquals(runCalibration.frontier().size(), c.frontier().size());
    }
    // the int8 layer accuracies are those of the int8 graphs through TFLite
    VitGraphs int8Graphs = rebuild(data, int8.quantization());
    try (DesktopExecutor executor = DesktopExecutor.create()) {
      LayerPredictions p = LayerEvaluation.run(int8Graphs, executor, data.validationImages(), data.validationLabels());
      assertArrayEquals(LayerEvaluation.accuracy(p),
          int8.calibration().layerAccuracy().stream().mapToDouble(Double::doubleValue).toArray(), 1e-12);
    }

    // the primary fp32 graphs are byte for byte those of a single-precision export
    ExportedBundle single = BundleExporter.export(MODEL, WEIGHTS, Precision.FP32, true, description(runCalibration));
    for (BundleManifest.Graph g : single.manifest().graphs().all()) {
      assertArrayEquals(g.file(), single.files().get(g.file()), bundle.files().get(g.file()));
    }
    assertFalse(java.util.Arrays.equals(bundle.files().get("block_01.tflite"), bundle.files().get("block_01.int8.tflite")));
  }

  @Test
  public void int8WithoutImagesOrARepeatedPrecisionIsRefused() {
    IllegalArgumentException noData = assertThrows(IllegalArgumentException.class, () -> BundleExporter.export(MODEL,
        WEIGHTS, List.of(Precision.INT8), false, description(null), null, line -> { }));
    assertTrue(noData.getMessage(), noData.getMessage().contains("int8") && noData.getMessage().contains("images"));
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> BundleExporter.export(MODEL,
        WEIGHTS, List.of(Precision.FP32, Precision.FP32), false, description(null), null, line -> { }));
    assertTrue(twice.getMessage(), twice.getMessage().contains("twice"));
    assertThrows(IllegalArgumentException.class,
        () -> BundleExporter.export(MODEL, WEIGHTS, Precision.INT8, false, description(null)));
  }

  /** The chosen recipe again, as the manifest's record names it, to compare accuracies. */
  private static VitGraphs rebuild(QuantizationData data, Quantization q) {
    TensorRanges ranges = RangeCalibration.measure(new VitGraphs(MODEL, WEIGHTS, Precision.FP32),
        data.calibrationImages(), data.calibrationCount());
    for (org.elasticdepth.exporter.tflite.QuantizationRecipe r : Int8Quantizer.candidates()) {
      VitGraphs graphs = new VitGraphs(MODEL, WEIGHTS, new VitGraphs.Int8(ranges, r));
      Int8Quantizer.Result probe = new Int8Quantizer.Result(graphs, null, List.of(), 0, null);
      if (List.copyOf(probe.int16Ops()).equals(q.int16Ops()) && List.copyOf(probe.floatOps()).equals(q.floatOps())) {
        return graphs;
      }
    }
    throw new AssertionError("no candidate recipe has the recorded operators " + q);
  }

  /** Validation labels are the fp32 model's last-layer predictions: a task it solves exactly. */
  private static QuantizationData data() {
    float[] calibration = RandomWeights.images(24, FLOATS, 31);
    float[] validation = RandomWeights.images(60, FLOATS, 32);
    try (DesktopExecutor executor = DesktopExecutor.create()) {
      LayerPredictions p = LayerEvaluation.run(new VitGraphs(MODEL, WEIGHTS, Precision.FP32), executor, validation,
          new int[60]);
      return new QuantizationData(calibration, 24, validation, p.predicted()[MODEL.depth() - 1]);
    }
  }

  private static Calibration runCalibration(QuantizationData data) {
    try (DesktopExecutor executor = DesktopExecutor.create()) {
      LayerPredictions p = LayerEvaluation.run(new VitGraphs(MODEL, WEIGHTS, Precision.FP32), executor,
          data.validationImages(), data.validationLabels());
      return TrainedModel.calibration(Calibrator.calibrate(p, 0.01, Calibrator.defaultThresholds(),
          new Calibrator.GuaranteeRequest(0.05, 0.9, false)));
    }
  }

  private static BundleExporter.Description description(Calibration calibration) {
    Input input = new Input("NHWC", 28, 28, 1, 1f / 255f, new float[] {0.2860f}, new float[] {0.3530f}, "center-crop");
    return new BundleExporter.Description(input, FashionMnist.LABELS, calibration, "test", 0, 7, "random");
  }
}
