package org.elasticdepth.benchmark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.elasticdepth.runtime.android.AcceleratorPreference;
import org.elasticdepth.runtime.android.AndroidExecutor;

/**
 * One executor configuration the suite can measure: GPU, NNAPI or the CPU with a given number of
 * threads. {@link #key()} is what the {@code executors} intent extra names ({@code gpu}, {@code
 * nnapi}, {@code cpu1}..{@code cpuN}); {@link #displayName()} is the executor's name in the result
 * JSON, the same words {@code exporter bench} uses so that bench-report lines phones and desktops up.
 *
 * @param threads XNNPACK threads: the CPU configuration's own, or those of a delegate's CPU fallback
 */
public record ExecutorChoice(String key, String displayName, AcceleratorPreference accelerator, int threads,
    boolean deprecated) {
  /** NNAPI arrived in Android 8.1. */
  public static final int NNAPI_MIN_API = AndroidExecutor.NNAPI_MIN_API;
  /** NNAPI is deprecated from Android 15. */
  public static final int NNAPI_DEPRECATED_API = 35;
  /** More XNNPACK threads than this only add contention on a phone's big cores. */
  public static final int MAX_CPU_THREADS = 4;

  /** The CPU thread counts offered on a device with {@code cores} cores: 1..min(4, cores). */
  public static int maxCpuThreads(int cores) {
    return Math.max(1, Math.min(MAX_CPU_THREADS, cores));
  }

  /**
   * Every configuration a device of {@code apiLevel} with {@code cores} cores offers, in suite
   * order: the CPU first, the GPU last, so that a GPU driver that kills the process cannot take the
   * CPU figures with it. NNAPI only from API 27, where it exists.
   */
  public static List<ExecutorChoice> available(int apiLevel, int cores) {
    int maxThreads = maxCpuThreads(cores);
    List<ExecutorChoice> choices = new ArrayList<>();
    for (int n = 1; n <= maxThreads; n++) {
      choices.add(new ExecutorChoice("cpu" + n, "CPU " + n + (n == 1 ? " thread" : " threads"), AcceleratorPreference.CPU,
          n, false));
    }
    if (apiLevel >= NNAPI_MIN_API) {
      choices.add(new ExecutorChoice("nnapi", "NNAPI", AcceleratorPreference.NNAPI, maxThreads,
          apiLevel >= NNAPI_DEPRECATED_API));
    }
    choices.add(new ExecutorChoice("gpu", "GPU", AcceleratorPreference.GPU, maxThreads, false));
    return Collections.unmodifiableList(choices);
  }

  public boolean isGpu() {
    return accelerator == AcceleratorPreference.GPU;
  }
}
