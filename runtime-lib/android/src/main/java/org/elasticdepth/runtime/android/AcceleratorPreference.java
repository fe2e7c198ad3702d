package org.elasticdepth.runtime.android;

import java.util.List;
import org.elasticdepth.runtime.spi.Accelerator;

/**
 * Which accelerator {@link AndroidExecutor} should try first for each graph. Whatever is chosen,
 * the CPU (XNNPACK) is the last resort: a graph a delegate refuses is loaded on the CPU and the
 * refusal is recorded in its {@link org.elasticdepth.runtime.spi.ExecutionTarget}.
 */
public enum AcceleratorPreference {
  /**
   * The GPU delegate when TFLite's {@code CompatibilityList} says this device supports it, else the
   * CPU. The default: the allow-list keeps the GPU away from drivers known to misbehave.
   */
  AUTO,
  /**
   * The GPU delegate even when the device is not on the compatibility list (for benchmarks and
   * experiments); a refusal still falls back to the CPU.
   */
  GPU,
  /**
   * Android's Neural Networks API. Opt-in only: NNAPI is deprecated from Android 15 (API 35) and its
   * vendor drivers vary widely in operator coverage and accuracy; prefer {@link #AUTO}.
   */
  NNAPI,
  /** The CPU with XNNPACK only. */
  CPU;

  /**
   * The accelerators to try, in order, for one graph; always ends with {@link Accelerator#CPU}.
   *
   * @param gpuOnCompatibilityList whether TFLite's compatibility list supports the GPU delegate on
   *     this device (only {@link #AUTO} consults it)
   */
  public List<Accelerator> attempts(boolean gpuOnCompatibilityList) {
    return switch (this) {
      case AUTO -> gpuOnCompatibilityList ? List.of(Accelerator.GPU, Accelerator.CPU) : List.of(Accelerator.CPU);
      case GPU -> List.of(Accelerator.GPU, Accelerator.CPU);
      case NNAPI -> List.of(Accelerator.NNAPI, Accelerator.CPU);
      case CPU -> List.of(Accelerator.CPU);
    };
  }

  /** Whether {@link #attempts} depends on the GPU compatibility list (so it is worth loading). */
  boolean consultsCompatibilityList() {
    return this == AUTO;
  }
}
