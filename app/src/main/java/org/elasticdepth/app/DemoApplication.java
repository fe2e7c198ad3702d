package org.elasticdepth.app;

import android.app.Application;

/**
 * Holds the one process-wide choice the activity cannot make itself: which {@link RuntimeFactory}
 * supplies bundle and executor. Living here rather than in the activity, it survives rotation and
 * lets tests swap in the desktop executor before the activity starts.
 */
public class DemoApplication extends Application {
  private volatile RuntimeFactory runtimeFactory = RuntimeFactory.ANDROID;

  public RuntimeFactory runtimeFactory() {
    return runtimeFactory;
  }

  /** For tests and embedding: takes effect when the classifier is next opened (activity start). */
  public void setRuntimeFactory(RuntimeFactory factory) {
    if (factory == null) {
      throw new IllegalArgumentException("runtime factory must not be null");
    }
    this.runtimeFactory = factory;
  }
}
