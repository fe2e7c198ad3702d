package org.elasticdepth.runtime;

import java.util.Locale;

/** Human-readable numbers for plan reasons and messages. */
final class Units {
  private Units() {}

  static String bytes(long bytes) {
    if (bytes < 10 * 1024) {
      return bytes + " B";
    }
    if (bytes < 10L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
  }
}
