package org.elasticdepth.benchmark;

import static androidx.test.espresso.Espresso.onView;
import static androidx.test.espresso.action.ViewActions.click;
import static androidx.test.espresso.action.ViewActions.replaceText;
import static androidx.test.espresso.action.ViewActions.scrollTo;
import static androidx.test.espresso.assertion.ViewAssertions.matches;
import static androidx.test.espresso.matcher.ViewMatchers.isEnabled;
import static androidx.test.espresso.matcher.ViewMatchers.withEffectiveVisibility;
import static androidx.test.espresso.matcher.ViewMatchers.withId;
import static androidx.test.espresso.matcher.ViewMatchers.withTagValue;
import static androidx.test.espresso.matcher.ViewMatchers.withText;
import static org.elasticdepth.benchmark.TestRuntimes.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.content.Context;
import android.content.Intent;
import android.net.Uri;
import android.os.Build;
import android.util.Log;
import android.view.View;
import android.widget.CheckBox;
import android.widget.LinearLayout;
import android.widget.TextView;
import androidx.lifecycle.ViewModelProvider;
import androidx.test.core.app.ActivityScenario;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.espresso.matcher.ViewMatchers.Visibility;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.desktop.SchemaAssert;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.shadows.ShadowLog;

/**
 * The benchmark screen on the JVM (Robolectric) with Espresso, running the real suite on the
 * desktop TFLite executor with runtime-desktop's tiny bundle (depth 3, random weights) and the
 * app's real sample assets (32 labelled Fashion-MNIST images).
 */
@RunWith(AndroidJUnit4.class)
public class MainActivityTest {
  private Context context;
  private File resultsDir;

  @Before
  public void setUp() {
    context = ApplicationProvider.getApplicationContext();
    resultsDir = context.getExternalFilesDir(null);
  }

  @Test
  public void aBundleOfTwoPrecisionsIsMeasuredPrecisionByPrecision() throws Exception {
    TestRuntimes.install(TestRuntimes.tinyTwoPrecisionBundle());
    Intent intent = new Intent(context, MainActivity.class)
        .putExtra("autostart", true)
        .putExtra("executors", "cpu1,gpu")
        .putExtra("depths", "1,3")
        .putExtra("runs", 3)
        .putExtra("warmup", 1)
        .putExtra("out", "precisions.json");
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(intent)) {
      awaitEnd(scenario);
      assertFinished(scenario);
      File json = new File(resultsDir, "precisions.json");
      SchemaAssert.assertValid(json.toPath());
      BenchmarkResult r = BenchmarkJson.read(json);
      assertEquals(List.of("fp32", "fp16"), r.bundle().precisions());
      ExecutorResult fp16 = r.executor("CPU 1 thread", "fp16");
      assertEquals(Status.OK, fp16.status());
      fp16.okDepth(3).targets().forEach(t -> assertTrue(t.graph(), t.graph().endsWith(".fp16.tflite")));
      assertEquals(0.90, fp16.earlyExit().threshold(), 0); // the fixture calibrates both at 0.90
      assertEquals(Status.FAILED, r.executor("GPU", "fp16").status());
      assertEquals("fp32", r.precisionChoice("CPU 1 thread").precision());
      assertEquals(null, r.precisionChoice("GPU").precision()); // no GPU delegate on the desktop
      onView(withId(R.id.summary)).check(matches(withText(containsString("Precisions (fp32, fp16; ratios vs fp32"))));
      onView(withId(R.id.summary)).check(matches(withText(containsString("CPU 1 thread fp32 *: median"))));
      onView(withId(R.id.summary)).check(matches(withText(containsString("CPU 1 thread fp16: median"))));
      onView(withId(R.id.summary)).check(matches(withText(containsString("GPU fp16: FAILED"))));
      onView(withId(R.id.summary)).check(matches(withText(containsString("* CPU 1 thread runs fp32 by itself"))));
    }
  }

  @Test
  public void headlessRunWritesSchemaValidJsonRecordsTheFailedExecutorAndShares() throws Exception {
    TestRuntimes.install(TestRuntimes.tinyBundle(null));
    Intent intent = new Intent(context, MainActivity.class)
        .putExtra("autostart", true)
        .putExtra("executors", "cpu1,gpu")
        .putExtra("depths", "1,3")
        .putExtra("runs", 3)
        .putExtra("warmup", 1)
        .putExtra("sustainedSeconds", 0)
        .putExtra("out", "headless.json");
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(intent)) {
      awaitEnd(scenario);
      assertFinished(scenario);
      File json = new File(resultsDir, "headless.json");
      onView(withId(R.id.output_path)).check(matches(withText(containsString(json.getAbsolutePath()))));
      onView(withId(R.id.summary)).check(matches(withText(containsString("CPU 1 thread (setup"))));
      onView(withId(R.id.summary)).check(matches(withText(containsString("GPU: FAILED"))));
      onView(withId(R.id.error)).check(matches(withEffectiveVisibility(Visibility.GONE)));

      SchemaAssert.assertValid(json.toPath());
      assertEquals("only the result, no temporary file", List.of("headless.json"), Arrays.asList(resultsDir.list()));
      BenchmarkResult r = BenchmarkJson.read(json);
      assertTrue(r.generator(), r.generator().startsWith("benchmark-app "));
      assertEquals("android", r.device().platform());
      assertEquals(Build.VERSION.SDK_INT, r.device().apiLevel());
      assertEquals(4L << 30, r.device().ramBytes());
      assertEquals(List.of(1, 3), r.settings().depths());
      assertEquals(3, r.settings().timedRuns());
      assertEquals(32, r.settings().samples());

      ExecutorResult cpu = r.executors().get(0);
      assertEquals("CPU 1 thread", cpu.name());
      assertEquals(Status.OK, cpu.status());
      for (DepthResult d : cpu.depths()) {
        assertEquals(d.error(), Status.OK, d.status());
        assertEquals(3, d.latency().count());
        assertEquals("CPU", d.targets().get(0).accelerator());
        assertTrue("resident memory from /proc/self/statm", d.processResidentBytes() > 0);
      }
      assertEquals(Status.OK, cpu.earlyExit().status());
      assertEquals(32, cpu.earlyExit().exitHistogram().stream().mapToInt(Integer::intValue).sum());
      assertEquals(Status.OK, cpu.full().status());
      assertEquals(Status.SKIPPED, cpu.sustained().status());

      ExecutorResult gpu = r.executors().get(1);
      assertEquals("GPU", gpu.name());
      assertEquals(Status.FAILED, gpu.status());
      assertTrue(gpu.error(), gpu.error().contains(TestRuntimes.NO_DELEGATE));

      onView(withId(R.id.share)).perform(scrollTo()).check(matches(isEnabled())).perform(click());
      AtomicReference<Intent> started = new AtomicReference<>();
      scenario.onActivity(a -> started.set(shadowOf(a).getNextStartedActivity()));
      assertEquals(Intent.ACTION_CHOOSER, started.get().getAction());
      Intent send = started.get().getParcelableExtra(Intent.EXTRA_INTENT);
      assertEquals(Intent.ACTION_SEND, send.getAction());
      Uri uri = send.getParcelableExtra(Intent.EXTRA_STREAM);
      assertEquals("content", uri.getScheme());
      assertEquals(MainActivity.RESULTS_AUTHORITY, uri.getAuthority());
      assertTrue((send.getFlags() & Intent.FLAG_GRANT_READ_URI_PERMISSION) != 0);
    }
  }

  @Test
  public void aDepthThatFailsIsRecordedWithItsErrorAndTheSuiteGoesOn() throws Exception {
    TestRuntimes.install(TestRuntimes.tinyBundle("block_03.tflite"));
    Intent intent = new Intent(context, MainActivity.class)
        .putExtra("autostart", true)
        .putExtra("executors", "cpu1,cpu2")
        .putExtra("runs", "2")
        .putExtra("warmup", "0")
        .putExtra("samples", 0)
        .putExtra("out", "broken-block.json");
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(intent)) {
      awaitEnd(scenario);
      assertFinished(scenario);
      onView(withId(R.id.summary)).check(matches(withText(containsString("depth 3: FAILED"))));
    }
    File json = new File(resultsDir, "broken-block.json");
    SchemaAssert.assertValid(json.toPath());
    BenchmarkResult r = BenchmarkJson.read(json);
    assertEquals(2, r.executors().size());
    for (ExecutorResult e : r.executors()) {
      assertEquals(Status.OK, e.status());
      assertNotNull(e.okDepth(1));
      assertNotNull(e.okDepth(2));
      DepthResult three = e.depths().get(2);
      assertEquals(Status.FAILED, three.status());
      assertTrue(three.error(), three.error().contains("block_03.tflite: rejected on purpose"));
      assertEquals(Status.FAILED, e.full().status());
      assertEquals("no samples were asked for", Status.SKIPPED, e.earlyExit().status());
    }
  }

  @Test
  public void measuresTheAppsOwnBundleFromAssets() throws Exception {
    assertTrue("the build should package the demo's default bundle (app/src/main/assets/bundle, made by the exporter)",
        Arrays.asList(context.getAssets().list(BenchmarkRuntime.BUNDLE_ASSET_DIR)).contains("manifest.json"));
    TestRuntimes.install(TestRuntimes.appBundle());
    Intent intent = new Intent(context, MainActivity.class)
        .putExtra("autostart", true)
        .putExtra("executors", "cpu2")
        .putExtra("runs", 2)
        .putExtra("warmup", 0)
        .putExtra("out", "app-bundle.json");
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(intent)) {
      awaitEnd(scenario);
      assertFinished(scenario);
    }
    File json = new File(resultsDir, "app-bundle.json");
    SchemaAssert.assertValid(json.toPath());
    BenchmarkResult r = BenchmarkJson.read(json);
    assertEquals("assets/bundle/", r.bundle().location());
    ExecutorResult cpu = r.executors().get(0);
    assertEquals("CPU 2 threads", cpu.name());
    assertEquals(r.bundle().depth(), cpu.depths().size());
    cpu.depths().forEach(d -> assertEquals(d.error(), Status.OK, d.status()));
    assertEquals(cpu.earlyExit().message(), Status.OK, cpu.earlyExit().status());
    assertEquals(32, (int) cpu.earlyExit().samples());
  }

  @Test
  public void badExtrasShowAClearErrorAndStartNothing() {
    TestRuntimes.install(TestRuntimes.tinyBundle(null));
    String[][] cases = {
        {"executors", "cpu1,tpu", "unknown executor 'tpu'"},
        {"depths", "1,three", "depths '1,three' must be whole numbers"},
        {"runs", "many", "runs must be a whole number"},
        {"out", "../escape.json", "must be a plain file name"},
        {"run", "50", "unknown extra 'run'"},
    };
    for (String[] c : cases) {
      Intent intent = new Intent(context, MainActivity.class).putExtra("autostart", true).putExtra(c[0], c[1]);
      try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(intent)) {
        await("the screen", () -> text(scenario, R.id.progress_text) != null);
        onView(withId(R.id.error)).check(matches(withEffectiveVisibility(Visibility.VISIBLE)));
        onView(withId(R.id.error)).check(matches(withText(containsString(c[2]))));
        onView(withId(R.id.progress_text)).check(matches(withText(R.string.idle)));
        onView(withId(R.id.start)).check(matches(withText(R.string.start)));
        assertEquals(RunState.Phase.IDLE, read(scenario, a -> new ViewModelProvider(a)
            .get(BenchmarkViewModel.class).state().phase()));
        assertTrue("logged for headless runs", ShadowLog.getLogsForTag(BenchmarkViewModel.TAG).stream()
            .anyMatch(l -> l.type == Log.ERROR && l.msg.contains(c[2])));
      }
    }
    String[] files = resultsDir.list();
    assertTrue("nothing written", files == null || files.length == 0);
  }

  @Test
  public void aNewIntentWithBadExtrasOnTheOpenScreenIsRefusedToo() {
    TestRuntimes.install(TestRuntimes.tinyBundle(null));
    // A second `am start` reaches the open screen (singleTop) as onNewIntent, paused around it.
    ActivityController<MainActivity> controller = Robolectric.buildActivity(MainActivity.class).setup();
    try {
      MainActivity activity = controller.get();
      assertEquals(View.GONE, activity.findViewById(R.id.error).getVisibility());
      controller.newIntent(new Intent(context, MainActivity.class).putExtra("autostart", true).putExtra("warmup", "-3"));
      TextView error = activity.findViewById(R.id.error);
      assertEquals(View.VISIBLE, error.getVisibility());
      assertTrue(error.getText().toString(), error.getText().toString().contains("warmup must be in 0..10000, got -3"));
      assertEquals(activity.getString(R.string.idle), ((TextView) activity.findViewById(R.id.progress_text)).getText().toString());
    } finally {
      controller.pause().stop().destroy();
    }
  }

  @Test
  public void startFromTheScreenValidatesAndReportsADepthBeyondTheBundle() {
    TestRuntimes.install(TestRuntimes.tinyBundle(null));
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      // Without extras the screen offers every executor, all checked: uncheck them all first.
      scenario.onActivity(a -> {
        LinearLayout group = a.findViewById(R.id.executors);
        for (int i = 0; i < group.getChildCount(); i++) {
          ((CheckBox) group.getChildAt(i)).setChecked(false);
        }
      });
      onView(withId(R.id.start)).perform(scrollTo(), click());
      onView(withId(R.id.error)).check(matches(withText(containsString("choose at least one executor"))));

      onView(withTagValue(is("cpu1"))).perform(scrollTo(), click());
      onView(withId(R.id.depths)).perform(scrollTo(), replaceText("2,9"));
      onView(withId(R.id.runs)).perform(scrollTo(), replaceText("2"));
      onView(withId(R.id.start)).perform(scrollTo(), click());
      awaitEnd(scenario);
      onView(withId(R.id.progress_text)).check(matches(withText(R.string.failed)));
      onView(withId(R.id.error)).check(matches(withText(containsString("depth 9 is outside 1..3"))));
      onView(withId(R.id.share)).check(matches(not(isEnabled())));
    }
  }

  static void awaitEnd(ActivityScenario<MainActivity> scenario) {
    await("the suite to end", () -> read(scenario, a -> new ViewModelProvider(a)
        .get(BenchmarkViewModel.class).state().ended()));
  }

  /** The run finished; if not, the message says what the screen reported. */
  static void assertFinished(ActivityScenario<MainActivity> scenario) {
    assertEquals(text(scenario, R.id.error), read(scenario, a -> a.getString(R.string.finished)),
        text(scenario, R.id.progress_text));
  }

  static String text(ActivityScenario<MainActivity> scenario, int id) {
    return read(scenario, a -> ((TextView) a.findViewById(id)).getText().toString());
  }

  static <T> T read(ActivityScenario<MainActivity> scenario, Function<MainActivity, T> f) {
    AtomicReference<T> value = new AtomicReference<>();
    scenario.onActivity(a -> value.set(f.apply(a)));
    return value.get();
  }
}
