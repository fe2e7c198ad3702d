package org.elasticdepth.runtime.desktop;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits in tests for a result that arrives on another thread. Android tests pass Robolectric's
 * main-looper idling as {@code step}, because results posted to the main thread only run when asked.
 */
public final class Polling {
  private Polling() {}

  /**
   * Runs {@code step} and checks {@code condition} every 10 ms until it holds.
   *
   * @throws AssertionError naming {@code what} when {@code timeout} passes or the thread is interrupted
   */
  public static void await(String what, Duration timeout, Runnable step, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      step.run();
      if (condition.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
