package org.elasticdepth.app;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import android.content.Context;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import org.elasticdepth.app.DemoSettings.ExitRule;
import org.elasticdepth.runtime.ExitPolicy;
import org.junit.Test;
import org.junit.runner.RunWith;

/** The demo's latency-target exit rule: kept across restarts and turned into {@link ExitPolicy#forLatency}. */
@RunWith(AndroidJUnit4.class)
public class LatencyTargetSettingsTest {
  private final Context context = ApplicationProvider.getApplicationContext();

  @Test
  public void latencyTargetBecomesTheRuntimesLatencyPolicyWithOrWithoutCalibration() {
    DemoSettings latency = DemoSettings.DEFAULTS.withExitRule(ExitRule.LATENCY_TARGET).withLatencyTargetMillis(7.5f);
    assertEquals(ExitPolicy.forLatency(7.5f), ExitRules.policy(latency, null));
    assertEquals(7.5, ExitRules.policy(latency, null).latencyTargetMillis().getAsDouble(), 1e-6);
  }

  @Test
  public void latencyTargetSurvivesARestartAndOlderStoresGetTheDefault() {
    SettingsStore store = new SettingsStore(context);
    assertEquals(DemoSettings.DEFAULT_LATENCY_TARGET_MILLIS, store.load().latencyTargetMillis(), 0);
    DemoSettings changed = DemoSettings.DEFAULTS.withExitRule(ExitRule.LATENCY_TARGET).withLatencyTargetMillis(3.2f);
    store.save(changed);
    assertEquals(changed, new SettingsStore(context).load());
    context.getSharedPreferences(SettingsStore.FILE, Context.MODE_PRIVATE).edit().putFloat("latency_target_ms", -1f).commit();
    assertEquals(DemoSettings.DEFAULTS, new SettingsStore(context).load()); // out of range: start over
  }

  @Test
  public void outOfRangeTargetsAreRejected() {
    for (float bad : new float[] {0f, -1f, Float.NaN, DemoSettings.MAX_LATENCY_TARGET_MILLIS + 1}) {
      assertThrows(IllegalArgumentException.class, () -> DemoSettings.DEFAULTS.withLatencyTargetMillis(bad));
    }
  }
}
