package org.elasticdepth.benchmark;

import android.content.ActivityNotFoundException;
import android.content.ClipData;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.net.Uri;
import android.os.Build;
import android.os.Bundle;
import android.util.Log;
import android.view.View;
import android.view.WindowManager;
import android.widget.Button;
import android.widget.CheckBox;
import android.widget.EditText;
import android.widget.LinearLayout;
import android.widget.ProgressBar;
import android.widget.TextView;
import androidx.activity.ComponentActivity;
import androidx.core.content.FileProvider;
import androidx.lifecycle.ViewModelProvider;
import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.runtime.benchmark.DeviceInfo;

/**
 * The benchmark screen: pick executors, depths and run counts, start the suite, watch its progress,
 * read the summary and share the JSON. Intent extras (see {@link BenchmarkRequest}) fill the same
 * fields and, with {@code autostart}, start the suite without a touch, for device farms.
 *
 * <p>The suite runs on a background thread owned by {@link BenchmarkViewModel}, never on this
 * one; this class only turns {@link RunState}s into views.
 */
public class MainActivity extends ComponentActivity {
  /** The FileProvider authority declared in the manifest. */
  static final String RESULTS_AUTHORITY = "org.elasticdepth.benchmark.results";
  private static final long MIB = 1024 * 1024;

  private final Map<String, CheckBox> executorBoxes = new LinkedHashMap<>();
  private List<ExecutorChoice> choices;
  private BenchmarkViewModel model;
  private EditText bundle;
  private TextView bundles;
  private EditText depths;
  private EditText runs;
  private EditText warmup;
  private EditText sustained;
  private Button start;
  private ProgressBar progress;
  private TextView progressText;
  private TextView error;
  private TextView summary;
  private TextView outputPath;
  private Button share;
  /** A request the screen refused, shown until the next start; not part of the run's state. */
  private String requestError;

  @Override
  protected void onCreate(Bundle savedInstanceState) {
    super.onCreate(savedInstanceState);
    setContentView(R.layout.activity_main);
    bundle = findViewById(R.id.bundle);
    bundles = findViewById(R.id.bundles);
    depths = findViewById(R.id.depths);
    runs = findViewById(R.id.runs);
    warmup = findViewById(R.id.warmup);
    sustained = findViewById(R.id.sustained);
    start = findViewById(R.id.start);
    progress = findViewById(R.id.progress);
    progressText = findViewById(R.id.progress_text);
    error = findViewById(R.id.error);
    summary = findViewById(R.id.summary);
    outputPath = findViewById(R.id.output_path);
    share = findViewById(R.id.share);

    choices = ExecutorChoice.available(Build.VERSION.SDK_INT, Runtime.getRuntime().availableProcessors());
    addExecutorBoxes();
    showDevice();

    model = new ViewModelProvider(this).get(BenchmarkViewModel.class);
    start.setOnClickListener(v -> {
      if (model.state().running()) {
        model.cancel();
      } else {
        startFromScreen();
      }
    });
    share.setOnClickListener(v -> share(model.state().output()));
    if (savedInstanceState == null && model.state().phase() == RunState.Phase.IDLE) {
      handleExtras(getIntent());
    }
    model.observe(this::render);
  }

  /** Bundles pushed while the screen was away show up when it comes back. */
  @Override
  protected void onResume() {
    super.onResume();
    showBundles();
  }

  /** A second {@code am start} while the screen is on top (launchMode singleTop): never two suites at once. */
  @Override
  protected void onNewIntent(Intent intent) {
    super.onNewIntent(intent);
    setIntent(intent);
    if (model.state().running()) {
      requestError = getString(R.string.bad_request, getString(R.string.already_running));
      Log.e(BenchmarkViewModel.TAG, "bad intent: a benchmark is already running");
    } else {
      handleExtras(intent);
    }
    render(model.state());
  }

  @Override
  protected void onDestroy() {
    model.observe(null);
    super.onDestroy();
  }

  private void addExecutorBoxes() {
    LinearLayout group = findViewById(R.id.executors);
    for (ExecutorChoice choice : choices) {
      CheckBox box = new CheckBox(this);
      box.setText(choice.deprecated() ? getString(R.string.deprecated_suffix, choice.displayName()) : choice.displayName());
      box.setTag(choice.key());
      group.addView(box);
      executorBoxes.put(choice.key(), box);
    }
  }

  private void showDevice() {
    DeviceInfo d = DeviceProbes.device(this);
    TextView device = findViewById(R.id.device);
    device.setText(getString(R.string.device_summary, d.manufacturer(), d.model(), d.soc(), d.apiLevel(), d.cores(),
        d.ramBytes() / MIB));
  }

  private void showBundles() {
    File dir = bundlesDir();
    List<String> found = PushedBundles.list(dir);
    bundles.setText(found.isEmpty() ? getString(R.string.no_bundles_found, dir.getAbsolutePath())
        : getString(R.string.bundles_found, dir.getAbsolutePath(), String.join(", ", found)));
  }

  /**
   * Headless start: extras fill the fields; bad extras are shown and logged, and nothing runs. The
   * activity is exported, so the extras may come from any app: one that cannot even be unparcelled
   * (a class this app does not have, a broken Parcelable) is refused like any other bad extra.
   */
  private void handleExtras(Intent intent) {
    requestError = null;
    Map<String, Object> values = new HashMap<>();
    try {
      Bundle extras = intent.getExtras();
      if (extras != null) {
        for (String key : extras.keySet()) {
          values.put(key, extra(extras, key));
        }
      }
    } catch (RuntimeException e) { // BadParcelableException, ClassNotFound wrapped in RuntimeException, ...
      Log.e(BenchmarkViewModel.TAG, "bad intent extras: cannot read them: " + e);
      showFields(BenchmarkRequest.parse(Map.of(), choices));
      requestError = getString(R.string.bad_request, getString(R.string.bad_extras, BenchmarkJob.message(e)));
      return;
    }
    BenchmarkRequest request;
    try {
      request = BenchmarkRequest.parse(values, choices);
    } catch (RequestException e) {
      Log.e(BenchmarkViewModel.TAG, "bad intent extras: " + e.getMessage());
      showFields(BenchmarkRequest.parse(Map.of(), choices));
      requestError = getString(R.string.bad_request, e.getMessage());
      return;
    }
    showFields(request);
    if (request.autostart()) {
      start(request);
    }
  }

  @SuppressWarnings("deprecation") // Bundle.get(String): the one way to read an extra whose type we check ourselves
  private static Object extra(Bundle extras, String key) {
    return extras.get(key);
  }

  private void showFields(BenchmarkRequest request) {
    bundle.setText(request.bundle() == null ? "" : request.bundle());
    executorBoxes.forEach((key, box) -> box.setChecked(request.executors().contains(key)));
    List<String> depthText = new ArrayList<>();
    request.depths().forEach(d -> depthText.add(String.valueOf(d)));
    depths.setText(String.join(",", depthText));
    runs.setText(String.valueOf(request.runs()));
    warmup.setText(String.valueOf(request.warmup()));
    sustained.setText(String.valueOf(request.sustainedSeconds()));
  }

  private void startFromScreen() {
    List<String> keys = new ArrayList<>();
    executorBoxes.forEach((key, box) -> {
      if (box.isChecked()) {
        keys.add(key);
      }
    });
    Map<String, Object> values = new HashMap<>();
    values.put(BenchmarkRequest.BUNDLE, bundle.getText().toString());
    values.put(BenchmarkRequest.EXECUTORS, String.join(",", keys));
    values.put(BenchmarkRequest.DEPTHS, depths.getText().toString());
    values.put(BenchmarkRequest.RUNS, runs.getText().toString());
    values.put(BenchmarkRequest.WARMUP, warmup.getText().toString());
    values.put(BenchmarkRequest.SUSTAINED_SECONDS, sustained.getText().toString());
    try {
      if (keys.isEmpty()) {
        throw new RequestException("choose at least one executor");
      }
      start(BenchmarkRequest.parse(values, choices));
    } catch (RequestException e) {
      requestError = getString(R.string.bad_request, e.getMessage());
      render(model.state());
    }
  }

  private void start(BenchmarkRequest request) {
    requestError = null;
    List<ExecutorChoice> selected = new ArrayList<>();
    for (String key : request.executors()) {
      choices.stream().filter(c -> c.key().equals(key)).forEach(selected::add);
    }
    BenchmarkRuntime runtime = ((BenchmarkApplication) getApplication()).runtime();
    File dir = resultsDir();
    File bundlesDir = bundlesDir();
    String generator = "benchmark-app " + versionName();
    model.start(listener -> new BenchmarkJob(this, runtime, request, selected, dir, bundlesDir, generator, listener),
        request.autostart() && request.finish());
  }

  /** App-specific external storage (adb can pull it without root), else internal storage. */
  private File resultsDir() {
    File external = getExternalFilesDir(null);
    return external != null ? external : getFilesDir();
  }

  /** Where users push their bundles: the same folder, which adb can write without root. */
  private File bundlesDir() {
    return resultsDir();
  }

  private String versionName() {
    try {
      String name = getPackageManager().getPackageInfo(getPackageName(), 0).versionName;
      return name != null ? name : "unknown";
    } catch (PackageManager.NameNotFoundException e) {
      return "unknown";
    }
  }

  private void render(RunState state) {
    boolean running = state.running();
    start.setText(running ? R.string.stop : R.string.start);
    for (View field : new View[] {bundle, depths, runs, warmup, sustained}) {
      field.setEnabled(!running);
    }
    executorBoxes.values().forEach(box -> box.setEnabled(!running));
    progress.setMax(state.totalSteps());
    progress.setProgress(state.step());
    progressText.setText(switch (state.phase()) {
      case IDLE -> getString(R.string.idle);
      case RUNNING -> getString(R.string.progress, state.step(), state.totalSteps(), state.stage());
      case FINISHED -> getString(R.string.finished);
      case FAILED -> getString(R.string.failed);
      case CANCELLED -> getString(R.string.cancelled);
    });
    String message = requestError != null ? requestError : state.notes();
    error.setText(message);
    error.setVisibility(message.isEmpty() ? View.GONE : View.VISIBLE);
    summary.setText(state.summary());
    outputPath.setText(state.output() == null ? "" : getString(R.string.saved_to, state.output().getAbsolutePath()));
    share.setEnabled(state.output() != null);
    // A benchmark measures a phone at work, not one dimming its screen and idling its cores.
    if (running) {
      getWindow().addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON);
    } else {
      getWindow().clearFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON);
    }
    if (state.ended() && model.finishWhenDone()) {
      finish();
    }
  }

  private void share(File file) {
    if (file == null) {
      return;
    }
    Uri uri = FileProvider.getUriForFile(this, RESULTS_AUTHORITY, file);
    Intent send = new Intent(Intent.ACTION_SEND)
        .setType("application/json")
        .putExtra(Intent.EXTRA_STREAM, uri)
        .putExtra(Intent.EXTRA_SUBJECT, getString(R.string.share_subject, file.getName()))
        .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION);
    send.setClipData(ClipData.newRawUri(file.getName(), uri)); // carries the read grant through the chooser
    try {
      startActivity(Intent.createChooser(send, getString(R.string.share_title)));
    } catch (ActivityNotFoundException e) {
      requestError = e.getMessage();
      render(model.state());
    }
  }
}
