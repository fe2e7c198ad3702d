package org.elasticdepth.app;

import static org.junit.Assert.assertEquals;

import android.content.Context;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import org.elasticdepth.app.DemoSettings.ExecutorChoice;
import org.elasticdepth.app.DemoSettings.ExitRule;
import org.elasticdepth.app.DemoSettings.Source;
import org.junit.Test;
import org.junit.runner.RunWith;

@RunWith(AndroidJUnit4.class)
public class SettingsStoreTest {
  private final Context context = ApplicationProvider.getApplicationContext();

  @Test
  public void startsWithTheDefaultsAndRoundTrips() {
    SettingsStore store = new SettingsStore(context);
    assertEquals(DemoSettings.DEFAULTS, store.load());
    DemoSettings changed = new DemoSettings(ExitRule.MANUAL, 0.7f, 0.85f, 4, ExecutorChoice.NNAPI, 3, Source.SAMPLES);
    store.save(changed);
    assertEquals(changed, new SettingsStore(context).load());
  }

  @Test
  public void unreadableValuesFallBackInsteadOfCrashing() {
    context.getSharedPreferences(SettingsStore.FILE, Context.MODE_PRIVATE).edit()
        .putString("executor", "TPU").putInt("threads", 99).commit();
    assertEquals(DemoSettings.DEFAULTS, new SettingsStore(context).load());
    context.getSharedPreferences(SettingsStore.FILE, Context.MODE_PRIVATE).edit()
        .clear().putString("executor", "TPU").putInt("depth_cap", 2).commit();
    assertEquals(DemoSettings.DEFAULTS.withDepthCap(2), new SettingsStore(context).load());
  }
}
