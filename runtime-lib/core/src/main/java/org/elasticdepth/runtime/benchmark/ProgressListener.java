package org.elasticdepth.runtime.benchmark;

/**
 * Told about the suite's progress, on the thread that runs the suite: hand off to the UI thread
 * yourself. {@code step} counts finished steps out of {@code totalSteps} (one step per executor and
 * depth, plus the full-graph comparison, the early-exit pass and the sustained run).
 */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (executor, stage, step, totalSteps) -> {};

  void onProgress(String executor, String stage, int step, int totalSteps);
}
