package org.elasticdepth.runtime.android;

import android.app.ActivityManager;
import android.content.ComponentCallbacks2;
import android.content.Context;
import android.os.Build;
import android.os.PowerManager;
import org.elasticdepth.runtime.ApiGuarded;
import org.elasticdepth.runtime.Budget;
import org.elasticdepth.runtime.ThermalLevel;

/**
 * The {@link Budget} this device can give the model right now, from {@link ActivityManager} and
 * {@link PowerManager}.
 *
 * <p><b>Memory policy.</b> The model's graphs may keep resident at most the smaller of
 *
 * <ul>
 *   <li>a quarter of the app's memory class ({@link ActivityManager#getMemoryClass()}, the
 *       platform's own measure of what one app should use on this device), an eighth on low-RAM
 *       devices ({@link ActivityManager#isLowRamDevice()}): the graphs live in native and mapped
 *       memory, but they count towards the process size the low-memory killer ranks by, and the
 *       app needs the rest for camera buffers and UI;
 *   <li>half of the headroom {@code availMem - threshold} ({@link ActivityManager.MemoryInfo}): the
 *       memory left before the system starts killing background processes, shared with everyone
 *       else; when the system already reports {@code lowMemory} there is no headroom;
 * </ul>
 *
 * then scaled down by the latest {@link ComponentCallbacks2#onTrimMemory} level (see {@link
 * #trimFactor}). The budget never drops below {@link #MIN_MEMORY_BYTES}: the planner then finds
 * that not even one block fits, and {@link ElasticClassifierOwner} falls back to the shallowest
 * model rather than stop classifying.
 *
 * <p><b>Thermal.</b> {@link PowerManager#getCurrentThermalStatus()} on API 29+, mapped one to one
 * to {@link ThermalLevel}; {@link ThermalLevel#NONE} below API 29, where Android has no such
 * signal. The latency budget is left unlimited: only the app knows its frame rate (combine with
 * {@link Budget#withLatencyMillis}).
 */
public final class AndroidBudget {
  /** Fraction of the memory class the model may use on ordinary devices. */
  public static final double MEMORY_CLASS_FRACTION = 0.25;
  /** Fraction of the memory class the model may use on low-RAM devices. */
  public static final double LOW_RAM_MEMORY_CLASS_FRACTION = 0.125;
  /** Fraction of the system's headroom above its low-memory threshold the model may use. */
  public static final double HEADROOM_FRACTION = 0.5;
  /** Floor of the memory budget ({@link Budget} needs a positive value). */
  public static final long MIN_MEMORY_BYTES = 1;

  /** No onTrimMemory call yet, or the app is back in the foreground. */
  public static final int NO_TRIM = 0;

  private static final long MIB = 1024L * 1024;

  private AndroidBudget() {}

  /**
   * What the platform reports, captured once so the policy can be applied (and tested) as plain
   * arithmetic.
   *
   * @param availMem {@link ActivityManager.MemoryInfo#availMem}
   * @param threshold {@link ActivityManager.MemoryInfo#threshold}
   * @param lowMemory {@link ActivityManager.MemoryInfo#lowMemory}
   * @param memoryClassMb {@link ActivityManager#getMemoryClass()}
   * @param lowRamDevice {@link ActivityManager#isLowRamDevice()}
   * @param thermal the thermal status, {@link ThermalLevel#NONE} below API 29
   */
  public record DeviceState(long availMem, long threshold, boolean lowMemory, int memoryClassMb, boolean lowRamDevice,
      ThermalLevel thermal) {}

  /** The budget for this device now, with no memory trim in effect. */
  public static Budget probe(Context context) {
    return probe(context, NO_TRIM);
  }

  /** The budget for this device now, after an {@code onTrimMemory(trimLevel)}. */
  public static Budget probe(Context context, int trimLevel) {
    return of(read(context), trimLevel);
  }

  /** Reads the platform's memory and thermal state. */
  public static DeviceState read(Context context) {
    ActivityManager activityManager = (ActivityManager) context.getSystemService(Context.ACTIVITY_SERVICE);
    if (activityManager == null) {
      throw new IllegalStateException("no ActivityManager service in " + context);
    }
    ActivityManager.MemoryInfo info = new ActivityManager.MemoryInfo();
    activityManager.getMemoryInfo(info);
    return new DeviceState(info.availMem, info.threshold, info.lowMemory, activityManager.getMemoryClass(),
        activityManager.isLowRamDevice(), thermal(context));
  }

  /** {@link ThermalLevel} from {@link PowerManager#getCurrentThermalStatus()}; NONE below API 29. */
  public static ThermalLevel thermal(Context context) {
    return thermal(context, Build.VERSION.SDK_INT);
  }

  static ThermalLevel thermal(Context context, int sdkInt) {
    if (sdkInt < Build.VERSION_CODES.Q) {
      return ThermalLevel.NONE; // and do not touch getCurrentThermalStatus(), which does not exist there
    }
    PowerManager power = (PowerManager) context.getSystemService(Context.POWER_SERVICE);
    return power == null ? ThermalLevel.NONE : ThermalLevel.fromAndroidStatus(currentThermalStatus(power));
  }

  @ApiGuarded(29)
  private static int currentThermalStatus(PowerManager power) {
    return power.getCurrentThermalStatus();
  }

  /** The policy above, applied to {@code state} after an {@code onTrimMemory(trimLevel)}. */
  public static Budget of(DeviceState state, int trimLevel) {
    double classFraction = state.lowRamDevice() ? LOW_RAM_MEMORY_CLASS_FRACTION : MEMORY_CLASS_FRACTION;
    long byClass = (long) (state.memoryClassMb() * MIB * classFraction);
    long headroom = state.lowMemory() ? 0 : Math.max(0, state.availMem() - state.threshold());
    long byHeadroom = (long) (headroom * HEADROOM_FRACTION);
    long memory = (long) (Math.min(byClass, byHeadroom) * trimFactor(trimLevel));
    return Budget.unlimited().withMemoryBytes(Math.max(MIN_MEMORY_BYTES, memory)).withThermal(state.thermal());
  }

  /**
   * How much of the memory budget is left after {@code onTrimMemory(level)}: 1 without trimming;
   * 1/2, 1/4 and 1/8 while the app runs and the system is moderately low, low, or critically low
   * on memory; and 0 (the shallowest model) once the UI is hidden or the app is in the background,
   * where nothing is being classified and every released block makes the process less likely to be
   * killed. (The RUNNING_* levels are deprecated in API 34, which no longer sends them, but older
   * releases do.)
   */
  @SuppressWarnings("deprecation")
  public static double trimFactor(int level) {
    if (level >= ComponentCallbacks2.TRIM_MEMORY_UI_HIDDEN) {
      return 0;
    }
    if (level >= ComponentCallbacks2.TRIM_MEMORY_RUNNING_CRITICAL) {
      return 0.125;
    }
    if (level >= ComponentCallbacks2.TRIM_MEMORY_RUNNING_LOW) {
      return 0.25;
    }
    if (level >= ComponentCallbacks2.TRIM_MEMORY_RUNNING_MODERATE) {
      return 0.5;
    }
    return 1;
  }
}
