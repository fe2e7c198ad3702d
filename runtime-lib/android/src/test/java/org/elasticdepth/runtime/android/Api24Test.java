package org.elasticdepth.runtime.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import android.os.Build;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import org.elasticdepth.runtime.ThermalLevel;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;

/** The library on Android 7.0 (API 24, the minimum SDK). */
@RunWith(AndroidJUnit4.class)
@Config(sdk = 24)
public class Api24Test {
  @Test
  public void nnapiIsNotTriedBelowApi27AndTheResultSaysWhy() {
    assertEquals(24, Build.VERSION.SDK_INT);
    try (AndroidExecutor executor = AcceleratorTruthTest.executor(AcceleratorPreference.NNAPI, 4096)) {
      String message = AcceleratorTruthTest.loadError(executor, "stem.tflite");
      assertTrue(message, message.startsWith("stem.tflite could not be loaded on any accelerator: NNAPI: not tried,"
          + " NNAPI needs Android 8.1 (API 27), this device runs API 24; CPU: "));
    }
  }

  @Test
  public void thermalProbesAndWatchersStayQuietBelowApi29() {
    assertEquals(ThermalLevel.NONE, AndroidBudget.thermal(ApplicationProvider.getApplicationContext()));
    try (ThermalWatcher watcher = ThermalWatcher.start(ApplicationProvider.getApplicationContext(), () -> {})) {
      assertFalse(watcher.isWatching());
    }
  }
}
