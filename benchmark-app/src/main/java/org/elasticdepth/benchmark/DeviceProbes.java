package org.elasticdepth.benchmark;

import android.app.ActivityManager;
import android.content.Context;
import android.os.Build;
import android.os.PowerManager;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.elasticdepth.runtime.ApiGuarded;
import org.elasticdepth.runtime.ThermalLevel;
import org.elasticdepth.runtime.android.PageSize;
import org.elasticdepth.runtime.benchmark.DeviceInfo;

/**
 * What the suite needs to know about the phone: who it is, how hot it runs, how much memory the
 * process holds. Every probe runs on API 24 (the build's API gate checks it); what needs more is
 * behind a {@code Build.VERSION.SDK_INT} check.
 */
final class DeviceProbes {
  private static final File STATM = new File("/proc/self/statm");

  private DeviceProbes() {}

  /** Manufacturer, model, SoC (API 31+; {@code Build.HARDWARE} before), API level, RAM, cores, ABI. */
  static DeviceInfo device(Context context) {
    ActivityManager am = (ActivityManager) context.getSystemService(Context.ACTIVITY_SERVICE);
    ActivityManager.MemoryInfo memory = new ActivityManager.MemoryInfo();
    if (am != null) {
      am.getMemoryInfo(memory);
    }
    String soc = Build.VERSION.SDK_INT >= 31 ? Api31.soc() : Build.HARDWARE;
    String abi = Build.SUPPORTED_ABIS.length > 0 ? Build.SUPPORTED_ABIS[0] : null;
    return new DeviceInfo("android", Build.MANUFACTURER, Build.MODEL, soc, "Android " + Build.VERSION.RELEASE,
        Build.VERSION.SDK_INT, Math.max(0, memory.totalMem), Runtime.getRuntime().availableProcessors(), abi);
  }

  @ApiGuarded(31)
  private static final class Api31 {
    static String soc() {
      return DeviceProbes.soc(Build.SOC_MANUFACTURER, Build.SOC_MODEL);
    }
  }

  private static String soc(String manufacturer, String model) {
    boolean hasMaker = manufacturer != null && !manufacturer.isEmpty() && !manufacturer.equals(Build.UNKNOWN);
    boolean hasModel = model != null && !model.isEmpty() && !model.equals(Build.UNKNOWN);
    if (!hasModel) {
      return Build.HARDWARE;
    }
    return hasMaker ? manufacturer + " " + model : model;
  }

  /**
   * The platform's thermal status in lower case ("none", "light", "moderate", ...), from {@link
   * PowerManager#getCurrentThermalStatus()}; null below API 29, where Android cannot tell.
   */
  static String thermalStatus(Context context) {
    if (Build.VERSION.SDK_INT < 29) {
      return null;
    }
    PowerManager power = (PowerManager) context.getSystemService(Context.POWER_SERVICE);
    if (power == null) {
      return null;
    }
    int status = currentThermalStatus(power);
    // A status a newer Android added is recorded as its number, not as the level the planner reads it as.
    return ThermalLevel.isKnownAndroidStatus(status)
        ? ThermalLevel.fromAndroidStatus(status).name().toLowerCase(Locale.ROOT)
        : "status " + status;
  }

  @ApiGuarded(29)
  private static int currentThermalStatus(PowerManager power) {
    return power.getCurrentThermalStatus();
  }

  /**
   * The process's resident set size from {@code /proc/self/statm} (second field, in pages), the
   * same measure desktop runs report as VmRSS; -1 if it cannot be read. java.io only: java.nio.file
   * arrived in API 26.
   */
  static long residentBytes() {
    try {
      return residentBytes(read(STATM), PageSize.bytes());
    } catch (IOException | RuntimeException | LinkageError e) { // a probe never stops a measurement
      return -1;
    }
  }

  /** Bytes from a statm line ("size resident shared ..." in pages). */
  static long residentBytes(String statm, long pageSize) {
    String[] fields = statm.trim().split("\\s+");
    return Long.parseLong(fields[1]) * pageSize;
  }

  private static String read(File file) throws IOException {
    try (InputStream in = new FileInputStream(file)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(64);
      byte[] buffer = new byte[256];
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
      }
      return new String(out.toByteArray(), StandardCharsets.US_ASCII);
    }
  }
}
