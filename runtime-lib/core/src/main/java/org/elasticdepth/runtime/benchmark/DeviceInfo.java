package org.elasticdepth.runtime.benchmark;

/**
 * The machine a benchmark ran on. The caller fills it: Android from {@code Build} and {@code
 * ActivityManager}, desktop from system properties and {@code Runtime}. Unknown text fields are
 * {@code "unknown"}, an unknown {@code apiLevel} (desktop) is 0, unknown {@code ramBytes} is 0.
 *
 * @param platform {@code "android"} or {@code "desktop"}
 * @param soc system-on-chip or CPU model name
 * @param os operating system name and version, e.g. {@code "Android 14"} or {@code "Linux 6.1"}
 * @param abi primary ABI or CPU architecture, e.g. {@code "arm64-v8a"} or {@code "amd64"}
 */
public record DeviceInfo(
    String platform,
    String manufacturer,
    String model,
    String soc,
    String os,
    int apiLevel,
    long ramBytes,
    int cores,
    String abi) {
  public DeviceInfo {
    platform = orUnknown(platform);
    manufacturer = orUnknown(manufacturer);
    model = orUnknown(model);
    soc = orUnknown(soc);
    os = orUnknown(os);
    abi = orUnknown(abi);
    if (apiLevel < 0 || ramBytes < 0 || cores < 1) {
      throw new IllegalArgumentException("device apiLevel and ramBytes must be >= 0 and cores >= 1");
    }
  }

  private static String orUnknown(String s) {
    return s == null || s.trim().isEmpty() ? "unknown" : s.trim();
  }
}
