package org.elasticdepth.app;

import static org.junit.Assert.assertEquals;

import java.util.List;
import org.elasticdepth.app.DemoSettings.ExitRule;
import org.elasticdepth.runtime.ExitPolicy;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.junit.Test;

public class ExitRulesTest {
  private static final Calibration CALIBRATION = new Calibration("validation", List.of(0.7, 0.8),
      List.of(new FrontierPoint(0.5, 0.74, 1.2, 1.67), new FrontierPoint(0.9, 0.79, 1.6, 1.25)), 0.01, 0.9);

  @Test
  public void accuracyTargetUsesTheChosenFrontierPointOrTheRecommendedOne() {
    DemoSettings target = DemoSettings.DEFAULTS.withExitRule(ExitRule.ACCURACY_TARGET);
    assertEquals(ExitPolicy.recommended(CALIBRATION), ExitRules.policy(target, CALIBRATION));
    assertEquals(ExitPolicy.threshold(0.5), ExitRules.policy(target.withTargetThreshold(0.52f), CALIBRATION));
  }

  @Test
  public void manualThresholdOrNoFrontierUsesTheManualThreshold() {
    DemoSettings manual = DemoSettings.DEFAULTS.withExitRule(ExitRule.MANUAL).withManualThreshold(0.75f);
    assertEquals(ExitPolicy.threshold(0.75f), ExitRules.policy(manual, CALIBRATION));
    DemoSettings target = manual.withExitRule(ExitRule.ACCURACY_TARGET);
    assertEquals(ExitPolicy.threshold(0.75f), ExitRules.policy(target, null));
  }
}
