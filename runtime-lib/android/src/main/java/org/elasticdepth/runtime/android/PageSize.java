package org.elasticdepth.runtime.android;

import android.system.Os;
import android.system.OsConstants;

/**
 * The kernel's memory page size: 4 KiB on most phones; 16 KiB on some devices from Android 15 on,
 * where native libraries whose LOAD segments are aligned to 4 KiB cannot be loaded.
 */
public final class PageSize {
  /** What every Android device used before 16 KiB pages, and what TFLite 2.16.1's natives are aligned to. */
  public static final long FOUR_KIB = 4096;

  private static final long BYTES = read();

  private PageSize() {}

  /** The page size in bytes, asked once ({@code sysconf(_SC_PAGESIZE)}, API 21+); 4096 if it cannot be read. */
  public static long bytes() {
    return BYTES;
  }

  private static long read() {
    try {
      long size = Os.sysconf(OsConstants._SC_PAGESIZE);
      return size > 0 ? size : FOUR_KIB;
    } catch (RuntimeException | LinkageError e) {
      return FOUR_KIB;
    }
  }
}
