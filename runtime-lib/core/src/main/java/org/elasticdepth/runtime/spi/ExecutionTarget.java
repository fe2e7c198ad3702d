package org.elasticdepth.runtime.spi;

/**
 * Where one graph runs, as decided when it was loaded. When a delegate refused the graph, {@code
 * requested} names what was asked for and {@code fallbackReason} why it fell back to {@code
 * accelerator} (usually the CPU); otherwise {@code fallbackReason} is {@code null}.
 *
 * @param detail free text such as {@code "XNNPACK, 4 threads"} or {@code "OpenCL, serialized"}
 */
public record ExecutionTarget(Accelerator accelerator, Accelerator requested, String detail, String fallbackReason) {
  public static ExecutionTarget direct(Accelerator accelerator, String detail) {
    return new ExecutionTarget(accelerator, accelerator, detail, null);
  }

  public static ExecutionTarget fallback(Accelerator accelerator, Accelerator requested, String detail, String reason) {
    return new ExecutionTarget(accelerator, requested, detail, reason);
  }

  public boolean fellBack() {
    return fallbackReason != null;
  }

  @Override
  public String toString() {
    return fellBack() ? accelerator + " (" + requested + " refused: " + fallbackReason + ")" : accelerator + " (" + detail + ")";
  }
}
