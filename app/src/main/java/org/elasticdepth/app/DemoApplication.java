package org.elasticdepth.app;

import android.app.Application;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Holds the one process-wide choice the activity cannot make itself: which {@link RuntimeFactory}
 * supplies bundle and executor. Living here rather than in the activity, it survives rotation and
 * lets tests swap in the desktop executor before the activity starts.
 */
public class DemoApplication extends Application {
  private volatile RuntimeFactory runtimeFactory = RuntimeFactory.ANDROID;
  /** File work the screen starts (copying an opened bundle, deleting old copies): one at a time, off the main thread. */
  private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "demo-io");
    t.setDaemon(true);
    return t;
  });

  public ExecutorService io() {
    return io;
  }

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
