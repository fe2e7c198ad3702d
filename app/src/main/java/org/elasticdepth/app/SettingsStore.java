package org.elasticdepth.app;

import android.content.Context;
import android.content.SharedPreferences;
import org.elasticdepth.app.DemoSettings.ExecutorChoice;
import org.elasticdepth.app.DemoSettings.ExitRule;
import org.elasticdepth.app.DemoSettings.Source;

/**
 * Keeps {@link DemoSettings} in SharedPreferences, so they survive rotation (the activity is
 * recreated) and restarts. Values that no longer parse (an older app version, a hand-edited file)
 * fall back to the defaults one by one instead of failing.
 */
public final class SettingsStore {
  static final String FILE = "demo_settings";

  private final SharedPreferences prefs;

  public SettingsStore(Context context) {
    this.prefs = context.getSharedPreferences(FILE, Context.MODE_PRIVATE);
  }

  public DemoSettings load() {
    DemoSettings d = DemoSettings.DEFAULTS;
    try {
      return new DemoSettings(
          enumValue(ExitRule.class, "exit_rule", d.exitRule()),
          prefs.getFloat("target_threshold", d.targetThreshold()),
          prefs.getFloat("manual_threshold", d.manualThreshold()),
          prefs.getInt("depth_cap", d.depthCap()),
          enumValue(ExecutorChoice.class, "executor", d.executor()),
          prefs.getInt("threads", d.threads()),
          enumValue(Source.class, "source", d.source()),
          prefs.getFloat("latency_target_ms", d.latencyTargetMillis()));
    } catch (IllegalArgumentException | ClassCastException e) {
      return d; // out-of-range or mistyped values: start over rather than crash
    }
  }

  public void save(DemoSettings s) {
    prefs.edit()
        .putString("exit_rule", s.exitRule().name())
        .putFloat("target_threshold", s.targetThreshold())
        .putFloat("manual_threshold", s.manualThreshold())
        .putInt("depth_cap", s.depthCap())
        .putString("executor", s.executor().name())
        .putInt("threads", s.threads())
        .putString("source", s.source().name())
        .putFloat("latency_target_ms", s.latencyTargetMillis())
        .apply();
  }

  private <E extends Enum<E>> E enumValue(Class<E> type, String key, E fallback) {
    String name = prefs.getString(key, fallback.name());
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException e) {
      return fallback;
    }
  }
}
