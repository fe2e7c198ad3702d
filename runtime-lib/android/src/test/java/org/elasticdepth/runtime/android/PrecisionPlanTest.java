package org.elasticdepth.runtime.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import androidx.test.ext.junit.runners.AndroidJUnit4;
import org.elasticdepth.runtime.DepthPlan;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.elasticdepth.runtime.spi.Accelerator;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;

/**
 * Which precision the Android executor's accelerator is served, from runtime-desktop's {@code
 * tiny-precisions} fixture (fp32, fp16 and int8 graphs of one exported model; its int8 graphs lose
 * 0.65 points at worst on validation). Plans are previewed: TFLite's Android natives do not exist on
 * the JVM, so nothing can be loaded here.
 */
@RunWith(AndroidJUnit4.class)
@Config(sdk = 34)
public class PrecisionPlanTest {
  private static final ElasticClassifier.Options ACCEPT_ONE_POINT =
      ElasticClassifier.Options.builder().setAcceptedQuantizationDrop(0.01).build();

  @Test
  public void nnapiPlansInt8AndTheGpuFp16() {
    try (Bundle bundle = Bundle.fromBuffers(TestBundles.buffers("tiny-precisions"))) {
      assertEquals(java.util.List.of(Precision.FP32, Precision.FP16, Precision.INT8), bundle.manifest().precisions());
      DepthPlan nnapi = preview(bundle, AcceleratorPreference.NNAPI, ACCEPT_ONE_POINT);
      assertEquals(Precision.INT8, nnapi.precision().precision());
      assertEquals(Accelerator.NNAPI, nnapi.precision().accelerator());
      assertTrue(nnapi.precision().reason(), nnapi.precision().reason().startsWith("NPUs run integer graphs; int8 loses 0.65 points"));
      DepthPlan gpu = preview(bundle, AcceleratorPreference.GPU, ACCEPT_ONE_POINT);
      assertEquals(Precision.FP16, gpu.precision().precision());
      assertEquals(Accelerator.GPU, gpu.precision().accelerator());
      // int8 weight copies are a byte per parameter: the same depth costs less memory
      DepthPlan cpuFp32 = preview(bundle, AcceleratorPreference.CPU, ElasticClassifier.Options.defaults());
      assertEquals(Precision.FP32, cpuFp32.precision().precision());
      assertTrue(nnapi.memoryBytes() + " vs " + cpuFp32.memoryBytes(), nnapi.memoryBytes() < cpuFp32.memoryBytes());
    }
  }

  @Test
  public void int8ThatLosesMoreThanAcceptedIsNotServed() {
    try (Bundle bundle = Bundle.fromBuffers(TestBundles.buffers("tiny-precisions"))) {
      DepthPlan nnapi = preview(bundle, AcceleratorPreference.NNAPI, ElasticClassifier.Options.defaults());
      assertEquals(Precision.FP32, nnapi.precision().precision());
      assertTrue(nnapi.precision().reason(), nnapi.precision().reason().contains("int8 loses 0.65 points at worst (accepted: 0.50), too much"));
      assertTrue(nnapi.toString(), nnapi.toString().endsWith("(fp32)"));
    }
  }

  @Test
  @Config(sdk = 24)
  public void belowApi27NnapiIsNotThereSoTheCpuDecides() {
    try (Bundle bundle = Bundle.fromBuffers(TestBundles.buffers("tiny-precisions"))) {
      DepthPlan plan = preview(bundle, AcceleratorPreference.NNAPI, ACCEPT_ONE_POINT);
      assertEquals(Accelerator.CPU, plan.precision().accelerator());
      assertEquals(Precision.INT8, plan.precision().precision());
    }
  }

  @Test
  public void aPrecisionTheBundleLacksIsATypedError() {
    try (Bundle bundle = Bundle.fromBuffers(TestBundles.buffers("tiny"))) {
      BundleException e = assertThrows(BundleException.class, () -> preview(bundle, AcceleratorPreference.CPU,
          ElasticClassifier.Options.builder().setPrecision(Precision.INT8).build()));
      assertEquals(BundleException.Problem.MISSING_PRECISION, e.problem());
      assertEquals("the options ask for int8 graphs but the bundle carries fp32", e.getMessage());
    }
  }

  private static DepthPlan preview(Bundle bundle, AcceleratorPreference accelerator, ElasticClassifier.Options options) {
    try (AndroidExecutor executor = AcceleratorTruthTest.executor(accelerator, 4096)) {
      return ElasticClassifier.preview(bundle, executor, options);
    }
  }
}
