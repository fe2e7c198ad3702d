package org.elasticdepth.runtime.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.app.ActivityManager;
import android.content.ComponentCallbacks2;
import android.content.Context;
import android.os.PowerManager;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import org.elasticdepth.runtime.Budget;
import org.elasticdepth.runtime.ThermalLevel;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;

@RunWith(AndroidJUnit4.class)
@Config(sdk = 34)
public class AndroidBudgetTest {
  private static final long MIB = 1024L * 1024;
  private Context context;
  private ActivityManager activityManager;

  @Before
  public void setUp() {
    context = ApplicationProvider.getApplicationContext();
    activityManager = (ActivityManager) context.getSystemService(Context.ACTIVITY_SERVICE);
  }

  static ActivityManager.MemoryInfo memory(long availMem, long threshold, boolean lowMemory) {
    ActivityManager.MemoryInfo info = new ActivityManager.MemoryInfo();
    info.availMem = availMem;
    info.threshold = threshold;
    info.lowMemory = lowMemory;
    info.totalMem = 4096 * MIB;
    return info;
  }

  @Test
  public void aRoomyDeviceIsBoundByAQuarterOfItsMemoryClass() {
    shadowOf(activityManager).setMemoryInfo(memory(3000 * MIB, 200 * MIB, false));
    shadowOf(activityManager).setMemoryClass(256);
    shadowOf(activityManager).setIsLowRamDevice(false);

    AndroidBudget.DeviceState state = AndroidBudget.read(context);
    assertEquals(new AndroidBudget.DeviceState(3000 * MIB, 200 * MIB, false, 256, false, ThermalLevel.NONE), state);
    Budget budget = AndroidBudget.probe(context);
    assertEquals(64 * MIB, budget.memoryBytes());
    assertEquals(ThermalLevel.NONE, budget.thermal());
    assertFalse("the app sets its own frame time", budget.limitsLatency());
    assertEquals(Integer.MAX_VALUE, budget.maxDepth());
  }

  @Test
  public void aLowRamDeviceGetsAnEighthOfItsMemoryClass() {
    shadowOf(activityManager).setMemoryInfo(memory(3000 * MIB, 200 * MIB, false));
    shadowOf(activityManager).setMemoryClass(128);
    shadowOf(activityManager).setIsLowRamDevice(true);
    assertEquals(16 * MIB, AndroidBudget.probe(context).memoryBytes());
  }

  @Test
  public void littleHeadroomAboveTheKillThresholdBindsFirst() {
    shadowOf(activityManager).setMemoryInfo(memory(240 * MIB, 200 * MIB, false));
    shadowOf(activityManager).setMemoryClass(512);
    assertEquals(20 * MIB, AndroidBudget.probe(context).memoryBytes());
  }

  @Test
  public void aSystemAlreadyLowOnMemoryLeavesTheMinimum() {
    shadowOf(activityManager).setMemoryInfo(memory(180 * MIB, 200 * MIB, true));
    shadowOf(activityManager).setMemoryClass(512);
    assertEquals(AndroidBudget.MIN_MEMORY_BYTES, AndroidBudget.probe(context).memoryBytes());
  }

  @Test
  public void theThermalStatusComesFromThePowerManager() {
    shadowOf(activityManager).setMemoryInfo(memory(3000 * MIB, 200 * MIB, false));
    PowerManager power = (PowerManager) context.getSystemService(Context.POWER_SERVICE);
    shadowOf(power).setCurrentThermalStatus(PowerManager.THERMAL_STATUS_SEVERE);
    assertEquals(ThermalLevel.SEVERE, AndroidBudget.thermal(context));
    assertEquals(ThermalLevel.SEVERE, AndroidBudget.probe(context).thermal());
    shadowOf(power).setCurrentThermalStatus(PowerManager.THERMAL_STATUS_NONE);
    assertEquals(ThermalLevel.NONE, AndroidBudget.probe(context).thermal());
  }

  @Test
  public void beforeApi29ThereIsNoThermalSignal() {
    // Only the API 34 android-all is available offline: the SDK level is passed in instead.
    PowerManager power = (PowerManager) context.getSystemService(Context.POWER_SERVICE);
    shadowOf(power).setCurrentThermalStatus(PowerManager.THERMAL_STATUS_CRITICAL);
    assertEquals(ThermalLevel.NONE, AndroidBudget.thermal(context, 28));
    assertEquals(ThermalLevel.CRITICAL, AndroidBudget.thermal(context, 29));
  }

  @Test
  public void trimmingShrinksTheBudgetStepByStep() {
    shadowOf(activityManager).setMemoryInfo(memory(3000 * MIB, 200 * MIB, false));
    shadowOf(activityManager).setMemoryClass(256);
    assertEquals(64 * MIB, AndroidBudget.probe(context, AndroidBudget.NO_TRIM).memoryBytes());
    assertEquals(32 * MIB, AndroidBudget.probe(context, ComponentCallbacks2.TRIM_MEMORY_RUNNING_MODERATE).memoryBytes());
    assertEquals(16 * MIB, AndroidBudget.probe(context, ComponentCallbacks2.TRIM_MEMORY_RUNNING_LOW).memoryBytes());
    assertEquals(8 * MIB, AndroidBudget.probe(context, ComponentCallbacks2.TRIM_MEMORY_RUNNING_CRITICAL).memoryBytes());
    for (int hidden : new int[] {ComponentCallbacks2.TRIM_MEMORY_UI_HIDDEN, ComponentCallbacks2.TRIM_MEMORY_BACKGROUND,
        ComponentCallbacks2.TRIM_MEMORY_COMPLETE}) {
      assertEquals(AndroidBudget.MIN_MEMORY_BYTES, AndroidBudget.probe(context, hidden).memoryBytes());
    }
  }

  @Test
  public void thePolicyIsPlainArithmetic() {
    AndroidBudget.DeviceState state = new AndroidBudget.DeviceState(1000 * MIB, 100 * MIB, false, 200, false, ThermalLevel.LIGHT);
    Budget budget = AndroidBudget.of(state, AndroidBudget.NO_TRIM);
    assertEquals(50 * MIB, budget.memoryBytes()); // min(200/4, (1000-100)/2)
    assertEquals(ThermalLevel.LIGHT, budget.thermal());
    assertTrue(budget.limitsMemory());
  }
}
