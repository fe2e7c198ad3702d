package org.elasticdepth.benchmark;

import static org.elasticdepth.benchmark.MainActivityTest.assertFinished;
import static org.elasticdepth.benchmark.MainActivityTest.awaitEnd;
import static org.elasticdepth.benchmark.MainActivityTest.read;
import static org.elasticdepth.benchmark.MainActivityTest.text;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import android.content.Context;
import android.content.Intent;
import android.os.Bundle;
import android.os.Parcel;
import android.os.Parcelable;
import android.util.Log;
import androidx.lifecycle.ViewModelProvider;
import androidx.test.core.app.ActivityScenario;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.shadows.ShadowLog;

/** What a real phone does to the benchmark: a GPU driver on no allow-list, hostile extras from other apps. */
@RunWith(AndroidJUnit4.class)
public class DeviceHardeningTest {
  private Context context;
  private File filesDir;
  private final List<String> created = new ArrayList<>();

  @Before
  public void setUp() {
    context = ApplicationProvider.getApplicationContext();
    filesDir = context.getExternalFilesDir(null);
  }

  private Intent run(String executors, String out) {
    return new Intent(context, MainActivity.class).putExtra("autostart", true).putExtra("executors", executors)
        .putExtra("depths", "1").putExtra("runs", 1).putExtra("warmup", 0).putExtra("samples", 0).putExtra("out", out);
  }

  private BenchmarkResult runToEnd(Intent intent, String out) throws Exception {
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(intent)) {
      awaitEnd(scenario);
      assertFinished(scenario);
    }
    return BenchmarkJson.read(new File(filesDir, out));
  }

  @Test
  public void theCpuRunsFirstAndAnUnlistedGpuIsNotRunUnlessForced() throws Exception {
    TestRuntimes.install(TestRuntimes.tinyBundle(false, created));
    BenchmarkResult r = runToEnd(run("gpu,cpu1", "unlisted.json"), "unlisted.json");
    assertEquals(List.of("CPU 1 thread", "GPU"), r.executors().stream().map(ExecutorResult::name).toList());
    assertEquals(Status.OK, r.executors().get(0).status());
    ExecutorResult gpu = r.executors().get(1);
    assertEquals(Status.FAILED, gpu.status());
    assertTrue(gpu.error(), gpu.error().contains("not run: TFLite's GPU compatibility list does not support this device's GPU"));
    assertTrue(gpu.error(), gpu.error().contains("--ez forceGpu true"));
    assertEquals("the GPU executor was never created", List.of("cpu1"), created);

    created.clear();
    BenchmarkResult forced = runToEnd(run("gpu,cpu1", "forced.json").putExtra("forceGpu", true), "forced.json");
    assertEquals(List.of("cpu1", "gpu"), created);
    assertTrue(forced.executors().get(1).error(), forced.executors().get(1).error().contains(TestRuntimes.NO_DELEGATE));
  }

  @Test
  public void aListedGpuRunsAfterTheCpu() throws Exception {
    TestRuntimes.install(TestRuntimes.tinyBundle(true, created));
    runToEnd(run("gpu,cpu2,cpu1", "listed.json"), "listed.json");
    assertEquals(List.of("cpu1", "cpu2", "gpu"), created);
  }

  @Test
  public void anExtraThatCannotBeUnparcelledIsRefusedAndNothingRuns() {
    TestRuntimes.install(TestRuntimes.tinyBundle(true, created));
    // What another app can send to an exported activity: a Parcelable whose class this app reads wrong.
    Bundle extras = new Bundle();
    extras.putBoolean("autostart", true);
    extras.putParcelable("evil", new Hostile());
    Parcel parcel = Parcel.obtain();
    extras.writeToParcel(parcel, 0);
    parcel.setDataPosition(0);
    Bundle received = parcel.readBundle(); // unparcelled lazily, as an Intent's extras arrive
    parcel.recycle();
    Intent intent = new Intent(context, MainActivity.class).replaceExtras(received);
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(intent)) {
      String error = text(scenario, R.id.error);
      assertTrue(error, error.startsWith("Cannot start: the intent's extras could not be read ("));
      assertEquals(read(scenario, a -> a.getString(R.string.idle)), text(scenario, R.id.progress_text));
      assertEquals(RunState.Phase.IDLE, read(scenario, a -> new ViewModelProvider(a).get(BenchmarkViewModel.class).state().phase()));
    }
    assertTrue(ShadowLog.getLogsForTag(BenchmarkViewModel.TAG).stream()
        .anyMatch(l -> l.type == Log.ERROR && l.msg.startsWith("bad intent extras: cannot read them")));
    assertEquals(List.of(), created);
  }

  /** Writes fine, but cannot be read back: a hostile or version-skewed Parcelable. */
  public static final class Hostile implements Parcelable {
    public static final Creator<Hostile> CREATOR = new Creator<>() {
      @Override
      public Hostile createFromParcel(Parcel in) {
        throw new IllegalStateException("Hostile cannot be unparcelled");
      }

      @Override
      public Hostile[] newArray(int size) {
        return new Hostile[size];
      }
    };

    @Override
    public int describeContents() {
      return 0;
    }

    @Override
    public void writeToParcel(Parcel dest, int flags) {
      dest.writeInt(42);
    }
  }
}
