package org.elasticdepth.app;

import android.app.Activity;
import android.view.View;
import android.widget.AdapterView;
import android.widget.ArrayAdapter;
import android.widget.Button;
import android.widget.RadioGroup;
import android.widget.SeekBar;
import android.widget.Spinner;
import android.widget.TextView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.elasticdepth.app.DemoSettings.ExecutorChoice;
import org.elasticdepth.app.DemoSettings.ExitRule;
import org.elasticdepth.app.DemoSettings.Source;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;

/**
 * The settings views: shows a {@link DemoSettings} and reports every change the user makes as a
 * new one. Choices that depend on the bundle (depth 1..L, frontier points) appear once {@link
 * #bindBundle} was called. Main thread only.
 */
final class ControlsPanel {
  /** Receives the settings after each user change. */
  interface Listener {
    void onSettingsChanged(DemoSettings settings);
  }

  private static final float THRESHOLD_STEPS = 100f;
  /** Latency seek bar: progress p means (p + 1) / 10 ms, 0.1 to 50 ms. */
  private static final float LATENCY_STEPS_PER_MS = 10f;

  private final Activity activity;
  private final Listener listener;
  private final Button sourceButton;
  private final RadioGroup exitRule;
  private final Spinner targetSpinner;
  private final TextView thresholdValue;
  private final SeekBar thresholdSeek;
  private final TextView latencyValue;
  private final SeekBar latencySeek;
  private final Spinner depthSpinner;
  private final Spinner executorSpinner;
  private final Spinner threadsSpinner;

  private DemoSettings settings;
  private List<FrontierPoint> frontier = new ArrayList<>();
  private boolean hasFrontier;
  /** Depth and target choices exist only once a bundle is bound; before that, their spinners must not report. */
  private boolean bound;
  /** Set while the views are updated from code, so their listeners do not echo the update back. */
  private boolean showing;

  ControlsPanel(Activity activity, DemoSettings initial, Listener listener) {
    this.activity = activity;
    this.listener = listener;
    this.settings = initial;
    sourceButton = activity.findViewById(R.id.source_button);
    exitRule = activity.findViewById(R.id.exit_rule);
    targetSpinner = activity.findViewById(R.id.target_spinner);
    thresholdValue = activity.findViewById(R.id.threshold_value);
    thresholdSeek = activity.findViewById(R.id.threshold_seek);
    latencyValue = activity.findViewById(R.id.latency_value);
    latencySeek = activity.findViewById(R.id.latency_seek);
    depthSpinner = activity.findViewById(R.id.depth_spinner);
    executorSpinner = activity.findViewById(R.id.executor_spinner);
    threadsSpinner = activity.findViewById(R.id.threads_spinner);

    List<String> executors = new ArrayList<>();
    for (ExecutorChoice c : ExecutorChoice.values()) {
      executors.add(c == ExecutorChoice.AUTO ? activity.getString(R.string.auto) : c.name());
    }
    executorSpinner.setAdapter(adapter(executors));
    List<String> threads = new ArrayList<>();
    threads.add(activity.getString(R.string.auto));
    for (int t = 1; t <= DemoSettings.MAX_THREADS; t++) {
      threads.add(Integer.toString(t));
    }
    threadsSpinner.setAdapter(adapter(threads));
    depthSpinner.setAdapter(adapter(java.util.Collections.singletonList(activity.getString(R.string.auto))));
    targetSpinner.setAdapter(adapter(java.util.Collections.singletonList(activity.getString(R.string.auto))));
    show(initial);
    listen();
  }

  /** Offers the bundle's depths and frontier points. */
  void bindBundle(BundleManifest manifest) {
    List<String> depths = new ArrayList<>();
    depths.add(activity.getString(R.string.auto));
    for (int d = 1; d <= manifest.depth(); d++) {
      depths.add(Integer.toString(d));
    }
    depthSpinner.setAdapter(adapter(depths));

    Calibration calibration = manifest.calibration();
    hasFrontier = calibration != null && !calibration.frontier().isEmpty();
    frontier = hasFrontier ? new ArrayList<>(calibration.frontier()) : new ArrayList<>();
    List<String> targets = new ArrayList<>();
    if (hasFrontier) {
      targets.add(activity.getString(R.string.target_recommended,
          String.format(Locale.ROOT, "≥ %.2f", calibration.recommendedThreshold())));
      for (FrontierPoint p : frontier) {
        targets.add(activity.getString(R.string.frontier_point, 100 * p.accuracy(), p.speedUp(), p.threshold()));
      }
    } else {
      targets.add(activity.getString(R.string.rule_manual));
    }
    targetSpinner.setAdapter(adapter(targets));
    bound = true;
    show(settings);
  }

  /** The settings as the views show them now. */
  DemoSettings settings() {
    return settings;
  }

  void showSource(Source source) {
    settings = settings.withSource(source);
    show(settings);
  }

  private void show(DemoSettings s) {
    showing = true;
    try {
      showViews(s);
    } finally {
      showing = false;
    }
  }

  private void showViews(DemoSettings s) {
    sourceButton.setText(s.source() == Source.CAMERA ? R.string.use_samples : R.string.use_camera);
    boolean latency = s.exitRule() == ExitRule.LATENCY_TARGET;
    boolean target = s.exitRule() == ExitRule.ACCURACY_TARGET && hasFrontier;
    boolean manual = !latency && !target;
    exitRule.check(latency ? R.id.rule_latency : target ? R.id.rule_target : R.id.rule_manual);
    activity.findViewById(R.id.rule_target).setEnabled(hasFrontier);
    targetSpinner.setVisibility(target ? View.VISIBLE : View.GONE);
    thresholdSeek.setVisibility(manual ? View.VISIBLE : View.GONE);
    thresholdValue.setVisibility(manual ? View.VISIBLE : View.GONE);
    latencySeek.setVisibility(latency ? View.VISIBLE : View.GONE);
    latencyValue.setVisibility(latency ? View.VISIBLE : View.GONE);
    latencySeek.setProgress(Math.round(s.latencyTargetMillis() * LATENCY_STEPS_PER_MS) - 1);
    latencyValue.setText(activity.getString(R.string.latency_value, s.latencyTargetMillis()));
    thresholdSeek.setProgress(Math.round(s.manualThreshold() * THRESHOLD_STEPS));
    thresholdValue.setText(activity.getString(R.string.threshold_value, s.manualThreshold()));
    FrontierPoint point = ExitRules.nearest(frontier, s.targetThreshold());
    select(targetSpinner, point == null ? 0 : 1 + frontier.indexOf(point));
    select(depthSpinner, Math.min(s.depthCap(), depthSpinner.getCount() - 1));
    select(executorSpinner, s.executor().ordinal());
    select(threadsSpinner, s.threads());
  }

  private void listen() {
    sourceButton.setOnClickListener(v ->
        change(settings.withSource(settings.source() == Source.CAMERA ? Source.SAMPLES : Source.CAMERA)));
    exitRule.setOnCheckedChangeListener((group, id) -> change(settings.withExitRule(
        id == R.id.rule_target ? ExitRule.ACCURACY_TARGET : id == R.id.rule_latency ? ExitRule.LATENCY_TARGET : ExitRule.MANUAL)));
    latencySeek.setOnSeekBarChangeListener(new SeekBar.OnSeekBarChangeListener() {
      @Override
      public void onProgressChanged(SeekBar bar, int progress, boolean fromUser) {
        if (fromUser) {
          latencyValue.setText(activity.getString(R.string.latency_value, latencyMillis(progress)));
        }
      }

      @Override
      public void onStartTrackingTouch(SeekBar bar) {}

      @Override
      public void onStopTrackingTouch(SeekBar bar) {
        change(settings.withLatencyTargetMillis(latencyMillis(bar.getProgress())));
      }
    });
    thresholdSeek.setOnSeekBarChangeListener(new SeekBar.OnSeekBarChangeListener() {
      @Override
      public void onProgressChanged(SeekBar bar, int progress, boolean fromUser) {
        if (fromUser) {
          thresholdValue.setText(activity.getString(R.string.threshold_value, progress / THRESHOLD_STEPS));
        }
      }

      @Override
      public void onStartTrackingTouch(SeekBar bar) {}

      @Override
      public void onStopTrackingTouch(SeekBar bar) {
        // Apply on release: rebuilding the classifier for every intermediate value would stall it.
        change(settings.withManualThreshold(bar.getProgress() / THRESHOLD_STEPS));
      }
    });
    onSelected(targetSpinner, position -> !bound ? settings : settings.withTargetThreshold(
        position == 0 || position > frontier.size() ? Float.NaN : (float) frontier.get(position - 1).threshold()));
    onSelected(depthSpinner, position -> bound ? settings.withDepthCap(position) : settings);
    onSelected(executorSpinner, position -> settings.withExecutor(ExecutorChoice.values()[position]));
    onSelected(threadsSpinner, position -> settings.withThreads(position));
  }

  private static float latencyMillis(int progress) {
    return (progress + 1) / LATENCY_STEPS_PER_MS;
  }

  private interface Selection {
    DemoSettings apply(int position);
  }

  private void onSelected(Spinner spinner, Selection selection) {
    spinner.setOnItemSelectedListener(new AdapterView.OnItemSelectedListener() {
      @Override
      public void onItemSelected(AdapterView<?> parent, View view, int position, long id) {
        change(selection.apply(position));
      }

      @Override
      public void onNothingSelected(AdapterView<?> parent) {}
    });
  }

  /** Reports a real change only: spinners also fire when they are (re)populated. */
  private void change(DemoSettings next) {
    if (showing || next.equals(settings)) {
      return;
    }
    settings = next;
    show(settings);
    listener.onSettingsChanged(settings);
  }

  private static void select(Spinner spinner, int position) {
    if (position >= 0 && position < spinner.getCount() && spinner.getSelectedItemPosition() != position) {
      spinner.setSelection(position, false);
    }
  }

  private ArrayAdapter<String> adapter(List<String> items) {
    ArrayAdapter<String> adapter = new ArrayAdapter<>(activity, android.R.layout.simple_spinner_item, items);
    adapter.setDropDownViewResource(android.R.layout.simple_spinner_dropdown_item);
    return adapter;
  }
}
