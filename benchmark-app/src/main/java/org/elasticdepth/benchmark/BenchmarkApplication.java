package org.elasticdepth.benchmark;

import android.app.Application;

/**
 * Holds the one process-wide choice the activity cannot make itself: which {@link
 * BenchmarkRuntime} supplies bundle and executors. Living here rather than in the activity, it lets
 * tests swap in the desktop executor before the activity starts.
 */
public class BenchmarkApplication extends Application {
  private volatile BenchmarkRuntime runtime = BenchmarkRuntime.ANDROID;

  public BenchmarkRuntime runtime() {
    return runtime;
  }

  /** For tests and embedding: takes effect at the next suite start. */
  public void setRuntime(BenchmarkRuntime runtime) {
    if (runtime == null) {
      throw new IllegalArgumentException("benchmark runtime must not be null");
    }
    this.runtime = runtime;
  }
}
