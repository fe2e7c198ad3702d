package org.elasticdepth.benchmark;

import android.app.Activity;
import android.graphics.Bitmap;
import android.graphics.Canvas;
import android.view.View;
import android.widget.LinearLayout;
import android.widget.ScrollView;
import android.widget.TextView;
import androidx.lifecycle.ViewModelProvider;
import androidx.test.core.app.ActivityScenario;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.testing.ScreenshotComparison;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;
import org.robolectric.annotation.GraphicsMode;

/**
 * The benchmark screen idle, running and done, rendered with Robolectric's native graphics and
 * compared with {@code docs/screenshots/} ({@code -Dscreenshots.update=true} rewrites them).
 * Deterministic: the states are fed to the view model (a fixed progress step; the committed
 * desktop result of docs/results/bench for "done"), and what depends on the test machine (the
 * device line, the CPU rows beyond two threads) is fixed or hidden.
 */
@RunWith(AndroidJUnit4.class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
@Config(qualifiers = "w360dp-h720dp-port-hdpi")
public class ScreenshotTest {
  private static final File COMMITTED = new File("../docs/screenshots");
  private static final File DIFFS = new File("target/screenshots");

  @Test
  public void idleRunningDone() throws Exception {
    TestRuntimes.install(TestRuntimes.tinyBundle(null));
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      compare("benchmark-idle", scenario);

      CountDownLatch finish = new CountDownLatch(1);
      BenchmarkResult result = BenchmarkJson.read(new File("../docs/results/bench/desktop-default-bundle.json"));
      File output = new File("/sdcard/Android/data/org.elasticdepth.benchmark/files/pixel8.json");
      scenario.onActivity(a -> model(a).start(listener -> () -> {
        listener.onProgress("CPU 1 thread", "depth 3 of 6, timed runs", 5, 12);
        try {
          finish.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        listener.onFinished(result, output);
      }, false));
      TestRuntimes.await("running", () -> text(scenario, R.id.progress_text).contains("5"));
      compare("benchmark-running", scenario);

      finish.countDown();
      TestRuntimes.await("done", () -> !text(scenario, R.id.summary).isEmpty());
      compare("benchmark-done", scenario);
    }
  }

  /**
   * A bundle with fp32 and fp16 graphs, done: the precision rows at the top of the summary
   * (scrolled into view). The committed desktop result of the tiny fixture in both precisions.
   */
  @Test
  public void doneWithEveryPrecision() throws Exception {
    TestRuntimes.install(TestRuntimes.tinyBundle(null));
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      BenchmarkResult result = BenchmarkJson.read(new File("../docs/results/bench/desktop-tiny-fp32-fp16.json"));
      File output = new File("/sdcard/Android/data/org.elasticdepth.benchmark/files/tiny-fp32-fp16.json");
      scenario.onActivity(a -> model(a).start(listener -> () -> listener.onFinished(result, output), false));
      TestRuntimes.await("done", () -> !text(scenario, R.id.summary).isEmpty());
      scenario.onActivity(a -> {
        View summary = a.findViewById(R.id.summary);
        ((ScrollView) summary.getParent().getParent()).scrollTo(0, summary.getTop());
      });
      compare("benchmark-done-precisions", scenario);
    }
  }

  private static BenchmarkViewModel model(Activity a) {
    return new ViewModelProvider((MainActivity) a).get(BenchmarkViewModel.class);
  }

  private static String text(ActivityScenario<MainActivity> scenario, int id) {
    AtomicReference<String> t = new AtomicReference<>();
    scenario.onActivity(a -> t.set(((TextView) a.findViewById(id)).getText().toString()));
    return t.get();
  }

  private static void compare(String name, ActivityScenario<MainActivity> scenario) throws IOException {
    AtomicReference<byte[]> png = new AtomicReference<>();
    scenario.onActivity(a -> {
      // the test machine's device line and core count are not the app's to fix
      ((TextView) a.findViewById(R.id.device)).setText("Google Pixel 8 (Tensor G3), Android 14 (API 34), 9 cores, 7800 MB RAM");
      // nor is Robolectric's temporary folder: show where the folder is on a phone
      ((TextView) a.findViewById(R.id.bundles)).setText(a.getString(R.string.no_bundles_found,
          "/sdcard/Android/data/org.elasticdepth.benchmark/files"));
      LinearLayout executors = a.findViewById(R.id.executors);
      for (int i = 0; i < executors.getChildCount(); i++) {
        Object key = executors.getChildAt(i).getTag();
        boolean moreThreads = key instanceof String k && k.startsWith("cpu") && !k.equals("cpu1") && !k.equals("cpu2");
        executors.getChildAt(i).setVisibility(moreThreads ? View.GONE : View.VISIBLE);
      }
      png.set(render(a));
    });
    ScreenshotComparison.assertMatchesCommitted(name, png.get(), COMMITTED, DIFFS);
  }

  private static byte[] render(Activity activity) {
    View root = activity.getWindow().getDecorView();
    root.measure(View.MeasureSpec.makeMeasureSpec(root.getWidth(), View.MeasureSpec.EXACTLY),
        View.MeasureSpec.makeMeasureSpec(root.getHeight(), View.MeasureSpec.EXACTLY));
    root.layout(0, 0, root.getWidth(), root.getHeight());
    root.jumpDrawablesToCurrentState(); // the clock stands still: end state animations (check boxes) now
    Bitmap bitmap = Bitmap.createBitmap(root.getWidth(), root.getHeight(), Bitmap.Config.ARGB_8888);
    root.draw(new Canvas(bitmap));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    bitmap.compress(Bitmap.CompressFormat.PNG, 100, out);
    return out.toByteArray();
  }
}
