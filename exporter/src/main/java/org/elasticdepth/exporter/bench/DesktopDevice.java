package org.elasticdepth.exporter.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.elasticdepth.runtime.benchmark.DeviceInfo;

/** What the benchmark records about this machine, and its process memory probe. Linux files are read when present. */
public final class DesktopDevice {
  private DesktopDevice() {}

  public static DeviceInfo describe() {
    String vendor = firstLine(Path.of("/sys/devices/virtual/dmi/id/sys_vendor"));
    String product = firstLine(Path.of("/sys/devices/virtual/dmi/id/product_name"));
    if (vendor == null && product == null) {
      // VMs and containers often hide DMI: name the machine so reports can tell results apart
      vendor = "desktop";
      product = firstLine(Path.of("/proc/sys/kernel/hostname"));
    }
    return new DeviceInfo("desktop", vendor, product, cpuModel(), System.getProperty("os.name") + " "
        + System.getProperty("os.version"), 0, totalMemory(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.arch"));
  }

  /** Resident set size of this process (VmRSS), or -1 where /proc is not available. */
  public static long processResidentBytes() {
    for (String line : lines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring(6).trim().split("\\s+");
        return Long.parseLong(parts[0]) * 1024; // the kernel reports kB
      }
    }
    return -1;
  }

  private static String cpuModel() {
    for (String line : lines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return null;
  }

  private static long totalMemory() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 0;
  }

  private static String firstLine(Path file) {
    List<String> lines = lines(file);
    return lines.isEmpty() ? null : lines.get(0);
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      return List.of(); // not Linux, or not readable: the field stays "unknown"
    }
  }
}
