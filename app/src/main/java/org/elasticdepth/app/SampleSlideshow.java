package org.elasticdepth.app;

import android.os.Handler;
import android.os.Looper;

/**
 * Sample-image mode: hands the bundled test images to a consumer one after another, every {@link
 * #INTERVAL_MS} or when {@link #next()} is called. Main thread only.
 */
final class SampleSlideshow {
  /** Long enough to read the overlay, short enough to see many classes. */
  static final long INTERVAL_MS = 2500;

  /** Receives each sample as it is shown. */
  interface Consumer {
    void show(Frame sample);
  }

  private final SampleImages samples;
  private final Consumer consumer;
  private final Handler handler = new Handler(Looper.getMainLooper());
  private final Runnable advance = this::next;
  private int index;
  private boolean running;

  SampleSlideshow(SampleImages samples, int startIndex, Consumer consumer) {
    this.samples = samples;
    this.consumer = consumer;
    this.index = Math.floorMod(startIndex, samples.size());
  }

  /** Shows the current sample and keeps advancing. */
  void start() {
    running = true;
    showCurrent();
  }

  /** Moves to the following sample now (and restarts the interval). */
  void next() {
    index = (index + 1) % samples.size();
    showCurrent();
  }

  void stop() {
    running = false;
    handler.removeCallbacks(advance);
  }

  /** Index of the sample on screen, to resume there after rotation. */
  int index() {
    return index;
  }

  private void showCurrent() {
    handler.removeCallbacks(advance);
    if (!running) {
      return;
    }
    consumer.show(samples.get(index));
    handler.postDelayed(advance, INTERVAL_MS);
  }
}
