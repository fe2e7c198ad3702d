package org.elasticdepth.runtime.android;

import java.util.Locale;
import org.elasticdepth.runtime.spi.GraphException;

/**
 * The device runs with memory pages larger than the alignment of the TFLite native libraries this
 * library ships, so Android cannot load them (on Android 15+ devices booted with 16 KiB pages). Thrown
 * before any native call, instead of a generic "could not be loaded on any accelerator".
 */
public final class UnsupportedPageSizeException extends GraphException {
  private final long pageSize;
  private final long nativeAlignment;

  UnsupportedPageSizeException(String graph, long pageSize, long nativeAlignment) {
    super(String.format(Locale.ROOT,
        "%s cannot run: this device uses %d KiB memory pages, but the bundled TFLite %s native libraries"
            + " (libtensorflowlite_jni.so, libtensorflowlite_gpu_jni.so) have %d KiB-aligned LOAD segments, which"
            + " Android cannot load on such a device. Fix: build the app with TFLite/LiteRT native libraries"
            + " aligned to 16 KiB (no 16 KiB-aligned TFLite is on Maven Central as of 2.16.1), or run on a device"
            + " with 4 KiB pages", graph, pageSize / 1024, AndroidExecutor.TFLITE_VERSION, nativeAlignment / 1024));
    this.pageSize = pageSize;
    this.nativeAlignment = nativeAlignment;
  }

  /** The device's page size in bytes, e.g. 16384. */
  public long pageSize() {
    return pageSize;
  }

  /** The LOAD segment alignment of the bundled TFLite natives in bytes (4096). */
  public long nativeAlignment() {
    return nativeAlignment;
  }
}
