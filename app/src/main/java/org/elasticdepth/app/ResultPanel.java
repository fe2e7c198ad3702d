package org.elasticdepth.app;

import android.app.Activity;
import android.view.View;
import android.widget.TextView;
import java.util.List;
import org.elasticdepth.runtime.Classification;
import org.elasticdepth.runtime.DepthPlan;
import org.elasticdepth.runtime.bundle.BundleManifest;

/**
 * The overlay on the picture: label and confidence, exit layer out of the planned depth, the
 * moving-average latency, the executor that actually ran, and why the planner chose the depth.
 * Main thread only.
 */
final class ResultPanel {
  private final Activity activity;
  private final TextView label;
  private final TextView confidence;
  private final TextView truth;
  private final TextView exit;
  private final TextView latency;
  private final TextView executor;
  private final TextView plan;
  private List<String> labels;

  ResultPanel(Activity activity) {
    this.activity = activity;
    label = activity.findViewById(R.id.label_text);
    confidence = activity.findViewById(R.id.confidence_text);
    truth = activity.findViewById(R.id.truth_text);
    exit = activity.findViewById(R.id.exit_text);
    latency = activity.findViewById(R.id.latency_text);
    executor = activity.findViewById(R.id.executor_text);
    plan = activity.findViewById(R.id.plan_text);
  }

  /** A (new) plan: shown at once, before the next result arrives. */
  void showPlan(BundleManifest manifest, DepthPlan p) {
    labels = manifest.labels();
    plan.setText(planText(p));
  }

  void showResult(ClassifierSession.Result result) {
    Classification c = result.classification();
    label.setText(c.label());
    confidence.setText(activity.getString(R.string.confidence, 100f * c.confidence()));
    exit.setText(c.plannedDepth() == c.plan().modelDepth()
        ? activity.getString(R.string.exit_layer, c.exitLayer(), c.plannedDepth())
        : activity.getString(R.string.exit_layer_of_model, c.exitLayer(), c.plannedDepth(), c.plan().modelDepth()));
    latency.setText(activity.getString(R.string.latency, result.averageMillis(), result.averageCount()));
    executor.setText(ExecutorSummary.describe(c.stages()));
    plan.setText(planText(c.plan()));
    Frame frame = result.frame();
    if (frame.isSample() && labels != null && frame.trueLabel() < labels.size()) {
      String name = labels.get(frame.trueLabel());
      truth.setText(activity.getString(c.labelIndex() == frame.trueLabel() ? R.string.truth_correct : R.string.truth_wrong, name));
      truth.setTag(frame.sampleIndex()); // which sample this result belongs to (read by tests)
      truth.setVisibility(View.VISIBLE);
    } else {
      truth.setVisibility(View.GONE);
    }
  }

  /** Forgets the last result, e.g. when the picture source changes. */
  void clear() {
    label.setText(R.string.waiting);
    confidence.setText("");
    exit.setText("");
    latency.setText("");
    executor.setText("");
    truth.setVisibility(View.GONE);
    truth.setTag(null);
  }

  private String planText(DepthPlan p) {
    return p.precision() == null ? activity.getString(R.string.plan, p.depth(), p.modelDepth(), p.reason())
        // the reason already starts with "depth d of L"
        : activity.getString(R.string.plan_with_precision, p.precision().precision().label(), p.reason());
  }
}
