package org.elasticdepth.runtime.engine;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.elasticdepth.runtime.Classification;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.ElasticClassifier.Options;
import org.elasticdepth.runtime.ExitPolicy;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.Sha256;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The trained {@code tiny} fixture against what the exporter recorded for 64 Fashion-MNIST test
 * images ({@code tiny.expected.json}: prediction, confidence and logits per layer).
 */
public class RecordedPredictionsTest {
  private static Bundle bundle;
  private static DesktopExecutor tflite;
  private static int depth;
  private static int pixelsPerImage;
  private static float[] images;
  private static int[][] predictions; // [sample][layer - 1]
  private static float[][] confidences;

  @BeforeClass
  public static void setUp() {
    bundle = Bundle.fromBuffers(TestBundles.buffers(TestBundles.TINY));
    tflite = DesktopExecutor.create();
    BundleManifest m = bundle.manifest();
    depth = m.depth();
    pixelsPerImage = m.input().elementCount();
    images = TestBundles.sampleImages(m.input());
    JsonObject expected = JsonParser.parseString(TestBundles.expectedJson(TestBundles.TINY)).getAsJsonObject();
    byte[] manifestJson = TestBundles.resource("tiny/" + BundleManifest.FILE_NAME);
    assertEquals("tiny.expected.json belongs to another bundle", expected.get("manifestSha256").getAsString(),
        Sha256.hex(manifestJson));
    JsonArray samples = expected.getAsJsonArray("samples");
    assertEquals(TestBundles.SAMPLE_COUNT, samples.size());
    predictions = new int[samples.size()][depth];
    confidences = new float[samples.size()][depth];
    for (int s = 0; s < samples.size(); s++) {
      JsonArray layers = samples.get(s).getAsJsonObject().getAsJsonArray("layers");
      assertEquals(depth, layers.size());
      for (int l = 0; l < depth; l++) {
        JsonObject layer = layers.get(l).getAsJsonObject();
        assertEquals(l + 1, layer.get("layer").getAsInt());
        predictions[s][l] = layer.get("prediction").getAsInt();
        confidences[s][l] = layer.get("confidence").getAsFloat();
      }
    }
  }

  @AfterClass
  public static void tearDown() {
    tflite.close();
    bundle.close();
  }

  private static float[] image(int sample) {
    return Arrays.copyOfRange(images, sample * pixelsPerImage, (sample + 1) * pixelsPerImage);
  }

  /** The exit layer the recorded confidences imply for threshold {@code t}: the first that passes it. */
  private static int expectedExit(int sample, double t) {
    for (int l = 1; l <= depth; l++) {
      if (confidences[sample][l - 1] >= t) {
        return l;
      }
    }
    return depth;
  }

  @Test
  public void withoutEarlyExitEveryLayerPredictsWhatTheExporterRecorded() {
    Options options = Options.builder().setEvaluateEveryLayer(true).build();
    try (ElasticClassifier c = ElasticClassifier.create(bundle, tflite, options)) {
      for (int s = 0; s < TestBundles.SAMPLE_COUNT; s++) {
        Classification r = c.classify(image(s));
        assertEquals(depth, r.exitLayer());
        for (Classification.LayerPrediction layer : r.layers()) {
          int l = layer.layer();
          assertEquals("sample " + s + " layer " + l, predictions[s][l - 1], layer.labelIndex());
          assertEquals("sample " + s + " layer " + l, confidences[s][l - 1], layer.confidence(), 1e-5f);
        }
        assertEquals(predictions[s][depth - 1], r.labelIndex());
        assertEquals(bundle.manifest().labels().get(predictions[s][depth - 1]), r.label());
      }
    }
  }

  @Test
  public void argbPicturesThroughTheTranslatorGiveTheSamePredictions() {
    byte[] pixels = TestBundles.samplePixels();
    try (ElasticClassifier c = ElasticClassifier.create(bundle, tflite, Options.defaults())) {
      for (int s = 0; s < TestBundles.SAMPLE_COUNT; s++) {
        int[] argb = new int[pixelsPerImage];
        for (int p = 0; p < argb.length; p++) {
          int v = pixels[s * pixelsPerImage + p] & 0xff;
          argb[p] = 0xff000000 | v << 16 | v << 8 | v;
        }
        assertArrayEquals(image(s), c.translator().translate(argb, 28, 28), 0f);
        Classification r = c.classify(argb, 28, 28);
        assertEquals("sample " + s, predictions[s][depth - 1], r.labelIndex());
        assertEquals(confidences[s][depth - 1], r.confidence(), 1e-5f);
      }
    }
  }

  @Test
  public void withAThresholdTheExitLayerIsTheFirstWhoseConfidencePassesIt() {
    BundleManifest.Calibration calibration = bundle.manifest().calibration();
    ExitPolicy[] policies = {
        ExitPolicy.threshold(0.3), ExitPolicy.threshold(0.5), ExitPolicy.recommended(calibration),
        ExitPolicy.forAccuracyDrop(calibration, 0.05), ExitPolicy.threshold(0.95)};
    int[] exitsSeen = new int[depth + 1];
    for (ExitPolicy policy : policies) {
      double t = policy.confidenceThreshold().getAsDouble();
      try (ElasticClassifier c = ElasticClassifier.create(bundle, tflite, Options.builder().setExitPolicy(policy).build())) {
        for (int s = 0; s < TestBundles.SAMPLE_COUNT; s++) {
          int exit = expectedExit(s, t);
          Classification r = c.classify(image(s));
          assertEquals(policy + ", sample " + s, exit, r.exitLayer());
          assertEquals(predictions[s][exit - 1], r.labelIndex());
          assertEquals(exit, r.blockNanos().length); // blocks after the exit never ran
          assertEquals(exit < depth, r.exitedEarly());
          float[] seen = r.layerConfidences();
          for (int l = 1; l < exit; l++) {
            assertTrue(seen[l - 1] < t); // every earlier layer really was below the threshold
          }
          exitsSeen[exit]++;
        }
      }
    }
    for (int l = 1; l <= depth; l++) {
      assertTrue("no sample exited at layer " + l, exitsSeen[l] > 0);
    }
  }
}
