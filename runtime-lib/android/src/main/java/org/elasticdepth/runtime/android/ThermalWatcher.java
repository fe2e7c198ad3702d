package org.elasticdepth.runtime.android;

import android.content.Context;
import android.os.Build;
import android.os.PowerManager;
import java.util.Objects;
import org.elasticdepth.runtime.ApiGuarded;

/**
 * Calls back when the device's thermal status changes (API 29+), so a classifier can re-plan its
 * depth while the phone heats up or cools down rather than at its next start. Below API 29, or
 * without a PowerManager, it watches nothing.
 *
 * <pre>{@code
 * ThermalWatcher watcher = ThermalWatcher.start(context,
 *     () -> background.execute(() -> classifier.replan(AndroidBudget.probe(context))));
 * ...
 * watcher.close();
 * }</pre>
 *
 * <p>Thread rules: start and close on the main thread; {@code onChange} runs on the main thread,
 * so it should hand any re-planning (which loads or closes graphs) to another thread.
 */
public final class ThermalWatcher implements AutoCloseable {
  private final Context context;
  private Object listener; // a PowerManager.OnThermalStatusChangedListener, or null

  private ThermalWatcher(Context context, Object listener) {
    this.context = context;
    this.listener = listener;
  }

  /** Starts watching; {@code onChange} runs once per thermal status change until {@link #close}. */
  public static ThermalWatcher start(Context context, Runnable onChange) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(onChange, "onChange");
    Object listener = Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q ? Api29.register(context, onChange) : null;
    return new ThermalWatcher(context, listener);
  }

  /** Whether status changes are delivered (API 29+ with a PowerManager) and not yet closed. */
  public boolean isWatching() {
    return listener != null;
  }

  /** Stops the callbacks. Idempotent. */
  @Override
  public void close() {
    if (listener != null) {
      Api29.unregister(context, listener);
      listener = null;
    }
  }

  /**
   * The API 29 calls, in their own class so that devices below API 29 never load a class naming
   * {@code PowerManager.OnThermalStatusChangedListener}; reached only where SDK_INT >= 29.
   */
  @ApiGuarded(29)
  private static final class Api29 {
    static Object register(Context context, Runnable onChange) {
      PowerManager power = (PowerManager) context.getSystemService(Context.POWER_SERVICE);
      if (power == null) {
        return null;
      }
      PowerManager.OnThermalStatusChangedListener listener = status -> onChange.run();
      power.addThermalStatusListener(listener); // delivered on the main thread
      return listener;
    }

    static void unregister(Context context, Object listener) {
      PowerManager power = (PowerManager) context.getSystemService(Context.POWER_SERVICE);
      if (power != null) {
        power.removeThermalStatusListener((PowerManager.OnThermalStatusChangedListener) listener);
      }
    }
  }
}
