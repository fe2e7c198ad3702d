package org.elasticdepth.app;

import static org.elasticdepth.app.MainActivityTest.read;
import static org.elasticdepth.app.MainActivityTest.text;
import static org.elasticdepth.app.TestRuntimes.await;
import static androidx.test.espresso.Espresso.onView;
import static androidx.test.espresso.action.ViewActions.click;
import static androidx.test.espresso.matcher.ViewMatchers.withId;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import android.content.Context;
import androidx.test.core.app.ActivityScenario;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.Locale;
import org.elasticdepth.runtime.Budget;
import org.elasticdepth.runtime.Classification;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.ExitPolicy;
import org.elasticdepth.runtime.android.AssetBundles;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.junit.Test;
import org.junit.runner.RunWith;

/**
 * Sample-image mode end to end with the app's real bundle (assets/bundle, the exporter's default
 * Fashion-MNIST model) on the desktop TFLite executor: each of the 32 bundled test images goes
 * through the app's pipeline (asset reading, preprocessing, session thread, screen), and the
 * screen must show exactly what the runtime computes for that image, be right about the true
 * label as often as a trained model is, and exit before the planned depth on easy images.
 */
@RunWith(AndroidJUnit4.class)
public class SampleModeAccuracyTest {
  /**
   * How far below the bundle's own validation accuracy the 32 samples may fall: one sample is
   * 3 points, and a binomial standard deviation at 80 % is 7 points. Broken preprocessing (wrong
   * orientation, scale or channels) drops to about chance, 10 %.
   */
  private static final double ACCURACY_MARGIN = 0.20;

  @Test
  public void showsTheModelsPredictionExitLayerAndTruthForEverySample() throws IOException {
    Context context = ApplicationProvider.getApplicationContext();
    TestRuntimes.install(TestRuntimes.appBundle());
    new SettingsStore(context).save(DemoSettings.DEFAULTS.withSource(DemoSettings.Source.SAMPLES));
    SampleImages samples = SampleImages.read(new FileInputStream("src/main/assets/" + SampleImages.IMAGES_ASSET),
        new FileInputStream("src/main/assets/" + SampleImages.LABELS_ASSET));

    int correct = 0;
    int earlyExits = 0;
    double validationAccuracy;
    try (Bundle bundle = AssetBundles.fromAssets(context, RuntimeFactory.BUNDLE_ASSET_DIR);
        DesktopExecutor executor = DesktopExecutor.create(DesktopExecutor.Options.builder().setNumThreads(1).build());
        // The app's default: the exporter's recommended threshold; the Robolectric device has memory to spare, so
        // the app plans full depth (its memory budget replaces the bundle's minimal depth as the cap).
        ElasticClassifier reference = ElasticClassifier.create(bundle, executor, ElasticClassifier.Options.builder()
            .setExitPolicy(ExitPolicy.recommended(bundle.manifest().calibration()))
            .setBudget(Budget.unlimited().withMaxDepth(bundle.manifest().depth()))
            .build());
        ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      validationAccuracy = expectedAccuracy(bundle.manifest().calibration());
      for (int i = 0; i < samples.size(); i++) {
        if (i > 0) {
          onView(withId(R.id.next_sample)).perform(click());
        }
        int index = i;
        await("the result of sample " + i, () -> Integer.valueOf(index).equals(read(scenario, a -> a.findViewById(R.id.truth_text).getTag())));
        Frame sample = samples.get(i);
        Classification expected = reference.classify(sample.argb(), sample.width(), sample.height());
        String where = "sample " + i + " (true " + bundle.manifest().labels().get(sample.trueLabel()) + ")";
        assertEquals(where, expected.label(), text(scenario, R.id.label_text));
        assertEquals(where, String.format(Locale.ROOT, "exit %d / %d", expected.exitLayer(), expected.plannedDepth()),
            text(scenario, R.id.exit_text));
        boolean right = expected.labelIndex() == sample.trueLabel();
        String truth = bundle.manifest().labels().get(sample.trueLabel());
        assertEquals(where, "true: " + truth + (right ? " ✓" : " ✗"), text(scenario, R.id.truth_text));
        correct += right ? 1 : 0;
        earlyExits += expected.exitedEarly() ? 1 : 0;
      }
    }
    System.out.printf(Locale.ROOT, "sample mode: %d of %d right, %d exited early (validation accuracy %.3f)%n",
        correct, samples.size(), earlyExits, validationAccuracy);
    assertTrue(String.format(Locale.ROOT, "only %d of %d samples right; the bundle's validation accuracy is %.3f",
        correct, samples.size(), validationAccuracy), correct >= (validationAccuracy - ACCURACY_MARGIN) * samples.size());
    assertTrue("no sample exited before the planned depth", earlyExits > 0);
  }

  /** The calibrated accuracy at the recommended threshold, the policy the app uses by default. */
  private static double expectedAccuracy(Calibration calibration) {
    FrontierPoint point = ExitRules.nearest(calibration.frontier(), (float) calibration.recommendedThreshold());
    return point.accuracy();
  }
}
