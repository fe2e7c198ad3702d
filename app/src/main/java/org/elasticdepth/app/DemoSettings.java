package org.elasticdepth.app;

/**
 * What the user chose on the screen. Immutable; {@link SettingsStore} keeps it in
 * SharedPreferences so it survives rotation and restarts.
 *
 * @param exitRule how the exit threshold is chosen
 * @param targetThreshold the threshold of the chosen frontier point ({@code NaN}: the bundle's
 *     recommended one)
 * @param manualThreshold the threshold used with {@link ExitRule#MANUAL}
 * @param depthCap the deepest layer the planner may use; {@link #AUTO_DEPTH} lets it decide
 * @param executor where graphs should run
 * @param threads CPU threads; {@link #AUTO_THREADS} lets the runtime decide
 * @param source where pictures come from
 * @param latencyTargetMillis the mean latency asked for with {@link ExitRule#LATENCY_TARGET}
 */
public record DemoSettings(
    ExitRule exitRule,
    float targetThreshold,
    float manualThreshold,
    int depthCap,
    ExecutorChoice executor,
    int threads,
    Source source,
    float latencyTargetMillis) {

  /** Latency target until the user picks one: a camera frame every 33 ms leaves room for about 10 ms of inference. */
  public static final float DEFAULT_LATENCY_TARGET_MILLIS = 10f;
  /** The largest latency target offered, in ms. */
  public static final float MAX_LATENCY_TARGET_MILLIS = 50f;

  public static final int AUTO_DEPTH = 0;
  public static final int AUTO_THREADS = 0;
  public static final int MAX_THREADS = 8;

  public static final DemoSettings DEFAULTS =
      new DemoSettings(ExitRule.ACCURACY_TARGET, Float.NaN, 0.9f, AUTO_DEPTH, ExecutorChoice.AUTO, AUTO_THREADS, Source.CAMERA,
          DEFAULT_LATENCY_TARGET_MILLIS);

  /** How the early-exit threshold is chosen. */
  public enum ExitRule {
    /** A point of the accuracy/speed frontier the exporter measured. */
    ACCURACY_TARGET,
    /** A threshold on the shared head's confidence, set by hand. */
    MANUAL,
    /** A mean latency: the runtime picks threshold and depth on the device ({@code ExitPolicy.forLatency}). */
    LATENCY_TARGET
  }

  /** The executor the user asked for. */
  public enum ExecutorChoice { AUTO, GPU, NNAPI, CPU }

  /** Where pictures come from. */
  public enum Source { CAMERA, SAMPLES }

  public DemoSettings {
    if (depthCap < 0) {
      throw new IllegalArgumentException("depth cap must be AUTO_DEPTH or a layer >= 1, got " + depthCap);
    }
    if (threads < 0 || threads > MAX_THREADS) {
      throw new IllegalArgumentException("threads must be AUTO_THREADS or 1.." + MAX_THREADS + ", got " + threads);
    }
    if (!(manualThreshold >= 0f && manualThreshold <= 1f)) {
      throw new IllegalArgumentException("manual threshold must be in [0, 1], got " + manualThreshold);
    }
    if (!(latencyTargetMillis > 0f && latencyTargetMillis <= MAX_LATENCY_TARGET_MILLIS)) {
      throw new IllegalArgumentException("latency target must be in (0, " + MAX_LATENCY_TARGET_MILLIS + "] ms, got "
          + latencyTargetMillis);
    }
  }

  /** Settings with the default latency target (stores written before it existed). */
  public DemoSettings(ExitRule exitRule, float targetThreshold, float manualThreshold, int depthCap,
      ExecutorChoice executor, int threads, Source source) {
    this(exitRule, targetThreshold, manualThreshold, depthCap, executor, threads, source, DEFAULT_LATENCY_TARGET_MILLIS);
  }

  public DemoSettings withExitRule(ExitRule value) {
    return new DemoSettings(value, targetThreshold, manualThreshold, depthCap, executor, threads, source, latencyTargetMillis);
  }

  public DemoSettings withTargetThreshold(float value) {
    return new DemoSettings(exitRule, value, manualThreshold, depthCap, executor, threads, source, latencyTargetMillis);
  }

  public DemoSettings withManualThreshold(float value) {
    return new DemoSettings(exitRule, targetThreshold, value, depthCap, executor, threads, source, latencyTargetMillis);
  }

  public DemoSettings withDepthCap(int value) {
    return new DemoSettings(exitRule, targetThreshold, manualThreshold, value, executor, threads, source, latencyTargetMillis);
  }

  public DemoSettings withExecutor(ExecutorChoice value) {
    return new DemoSettings(exitRule, targetThreshold, manualThreshold, depthCap, value, threads, source, latencyTargetMillis);
  }

  public DemoSettings withThreads(int value) {
    return new DemoSettings(exitRule, targetThreshold, manualThreshold, depthCap, executor, value, source, latencyTargetMillis);
  }

  public DemoSettings withSource(Source value) {
    return new DemoSettings(exitRule, targetThreshold, manualThreshold, depthCap, executor, threads, value, latencyTargetMillis);
  }

  public DemoSettings withLatencyTargetMillis(float value) {
    return new DemoSettings(exitRule, targetThreshold, manualThreshold, depthCap, executor, threads, source, value);
  }

  /** True when a change from {@code other} needs a new classifier (executor or threads), not just a new plan. */
  public boolean needsNewExecutor(DemoSettings other) {
    return executor != other.executor || threads != other.threads;
  }
}
