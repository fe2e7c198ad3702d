package org.elasticdepth.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Graphs;
import org.elasticdepth.runtime.bundle.BundleManifest.Quantization;
import org.elasticdepth.runtime.bundle.BundleManifest.Variant;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.spi.Accelerator;
import org.junit.Test;

/** Which precision each accelerator is served, from the bundle's own accuracy measurements. */
public class PrecisionPolicyTest {
  private static final double HALF_POINT = 0.005;
  private static final List<Double> FP32_ACCURACY = List.of(0.70, 0.80, 0.85);
  private static final Quantization QUANTIZATION = new Quantization(256, List.of(), List.of());

  @Test
  public void eachAcceleratorGetsItsPrecision() {
    BundleManifest all = bundle(FP32_ACCURACY, List.of(0.699, 0.797, 0.848), Precision.FP16, Precision.INT8);
    assertEquals(Precision.FP16, choose(all, Accelerator.GPU).precision());
    assertEquals(Precision.INT8, choose(all, Accelerator.NNAPI).precision());
    PrecisionChoice cpu = choose(all, Accelerator.CPU);
    assertEquals(Precision.INT8, cpu.precision());
    assertEquals(0.003, cpu.accuracyDrop(), 1e-9); // the worst layer, layer 2
    assertTrue(cpu.reason(), cpu.reason().contains("int8 loses 0.30 points at worst (accepted: 0.50)"));
  }

  @Test
  public void int8ThatCostsTooMuchLeavesTheCpuOnFp32() {
    BundleManifest lossy = bundle(FP32_ACCURACY, List.of(0.70, 0.79, 0.85), Precision.FP16, Precision.INT8); // layer 2: -1 point
    PrecisionChoice cpu = choose(lossy, Accelerator.CPU);
    assertEquals(Precision.FP32, cpu.precision());
    assertTrue(cpu.reason(), cpu.reason().contains("int8 loses 1.00 points at worst (accepted: 0.50), too much"));
    assertEquals(Precision.FP32, choose(lossy, Accelerator.NNAPI).precision());
    // a user who accepts the point gets int8
    assertEquals(Precision.INT8, PrecisionPolicy.choose(lossy, Accelerator.CPU, null, 0.01).precision());
  }

  @Test
  public void int8OfUnknownCostIsNotChosenByItself() {
    BundleManifest unmeasured = bundle(FP32_ACCURACY, null, Precision.INT8);
    PrecisionChoice cpu = choose(unmeasured, Accelerator.CPU);
    assertEquals(Precision.FP32, cpu.precision());
    assertTrue(cpu.reason(), cpu.reason().contains("unknown"));
    assertEquals(Precision.INT8, PrecisionPolicy.choose(unmeasured, Accelerator.CPU, Precision.INT8, 0).precision());
  }

  @Test
  public void withoutFp16TheGpuRunsFp32AndASinglePrecisionIsTakenAsIs() {
    assertEquals(Precision.FP32, choose(bundle(FP32_ACCURACY, List.of(0.7, 0.8, 0.85), Precision.INT8), Accelerator.GPU).precision());
    BundleManifest single = bundle(FP32_ACCURACY, null);
    PrecisionChoice gpu = choose(single, Accelerator.GPU);
    assertEquals(Precision.FP32, gpu.precision());
    assertEquals("the only precision in the bundle", gpu.reason());
  }

  @Test
  public void aRequestedPrecisionTheBundleLacksIsATypedError() {
    try {
      PrecisionPolicy.choose(bundle(FP32_ACCURACY, null), Accelerator.CPU, Precision.INT8, HALF_POINT);
      fail("expected MISSING_PRECISION");
    } catch (BundleException e) {
      assertEquals(BundleException.Problem.MISSING_PRECISION, e.problem());
      assertEquals("the options ask for int8 graphs but the bundle carries fp32", e.getMessage());
    }
  }

  @Test
  public void optionsValidateTheAcceptedDrop() {
    for (double bad : new double[] {-0.01, 1.5, Double.NaN}) {
      try {
        ElasticClassifier.Options.builder().setAcceptedQuantizationDrop(bad).build();
        fail("accepted " + bad);
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage(), e.getMessage().contains("acceptedQuantizationDrop must be a fraction in [0, 1]"));
      }
    }
    ElasticClassifier.Options o = ElasticClassifier.Options.builder().setPrecision(Precision.FP16)
        .setAcceptedQuantizationDrop(0.02).build();
    assertEquals(o.toString(), Precision.FP16, o.toBuilder().build().precision());
    assertEquals(0.02, o.toBuilder().build().acceptedQuantizationDrop(), 0);
  }

  private static PrecisionChoice choose(BundleManifest m, Accelerator accelerator) {
    return PrecisionPolicy.choose(m, accelerator, null, HALF_POINT);
  }

  /** FakeBundle's fp32 manifest with {@code extra} precisions; the int8 one calibrated to {@code int8Accuracy} (null: none). */
  private static BundleManifest bundle(List<Double> fp32Accuracy, List<Double> int8Accuracy, Precision... extra) {
    BundleManifest m = FakeBundle.manifest(3, calibration(fp32Accuracy));
    List<Variant> variants = new ArrayList<>();
    for (Precision p : extra) {
      Graphs g = m.graphs();
      List<Graph> blocks = new ArrayList<>();
      g.blocks().forEach(b -> blocks.add(renamed(b, p)));
      Graphs graphs = new Graphs(renamed(g.stem(), p), blocks, renamed(g.head(), p), null).withPrecision(p);
      boolean int8 = p == Precision.INT8;
      variants.add(new Variant(p, graphs, int8 ? calibration(int8Accuracy) : calibration(fp32Accuracy),
          int8 ? QUANTIZATION : null));
    }
    return new BundleManifest(m.format(), 2, m.model(), m.input(), m.labels(), m.graphs(), m.calibration(), m.provenance(),
        null, variants);
  }

  private static Graph renamed(Graph g, Precision p) {
    return new Graph(BundleManifest.fileName(g.file(), p), g.sha256(), g.bytes(), g.params(), g.flops(), g.inputs(),
        g.outputs());
  }

  private static Calibration calibration(List<Double> layerAccuracy) {
    return layerAccuracy == null ? null : new Calibration("validation", layerAccuracy, List.of(), 0.01, 0.9);
  }
}
