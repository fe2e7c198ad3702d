package org.elasticdepth.benchmark;

import android.app.ActivityManager;
import android.content.Context;
import android.os.Build;
import android.os.PowerManager;
import android.system.Os;
import android.system.OsConstants;
import android.util.Log;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import org.elasticdepth.runtime.ThermalLevel;
import org.elasticdepth.runtime.benchmark.DeviceInfo;

/** What the suite needs to know about the phone: who it is, how hot it runs, how much memory the process holds. */
final class DeviceProbes {
  private static final String TAG = "EDBenchmark";
  private static final File STATM = new File("/proc/self/statm");

  private DeviceProbes() {}

  /** Manufacturer, model, SoC (API 31+; {@code Build.HARDWARE} before), API level, RAM, cores, ABI. */
  static DeviceInfo device(Context context) {
    ActivityManager am = (ActivityManager) context.getSystemService(Context.ACTIVITY_SERVICE);
    ActivityManager.MemoryInfo memory = new ActivityManager.MemoryInfo();
    if (am != null) {
      am.getMemoryInfo(memory);
    }
    String soc = Build.VERSION.SDK_INT >= 31 ? soc(Build.SOC_MANUFACTURER, Build.SOC_MODEL) : Build.HARDWARE;
    String abi = Build.SUPPORTED_ABIS.length > 0 ? Build.SUPPORTED_ABIS[0] : null;
    return new DeviceInfo("android", Build.MANUFACTURER, Build.MODEL, soc, "Android " + Build.VERSION.RELEASE,
        Build.VERSION.SDK_INT, Math.max(0, memory.totalMem), Runtime.getRuntime().availableProcessors(), abi);
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
    int status = power.getCurrentThermalStatus();
    try {
      return ThermalLevel.fromAndroidStatus(status).name().toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException newerThanThisApp) {
      return "status " + status;
    }
  }

  /**
   * The process's resident set size from {@code /proc/self/statm} (second field, in pages), the
   * same measure desktop runs report as VmRSS; -1 if it cannot be read.
   */
  static long residentBytes() {
    try {
      String[] fields = new String(Files.readAllBytes(STATM.toPath()), StandardCharsets.US_ASCII).trim().split("\\s+");
      return Long.parseLong(fields[1]) * PageSize.BYTES;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The kernel's page size, asked once: 4 KiB on most phones, 16 KiB on some from Android 15 on. */
  private static final class PageSize {
    static final long BYTES = read();

    private static long read() {
      try {
        long size = Os.sysconf(OsConstants._SC_PAGESIZE);
        if (size > 0) {
          return size;
        }
      } catch (RuntimeException | LinkageError e) {
        Log.w(TAG, "page size unknown: " + e);
      }
      return 4096;
    }
  }
}
