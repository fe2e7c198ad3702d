package org.elasticdepth.benchmark;

import static org.elasticdepth.benchmark.MainActivityTest.assertFinished;
import static org.elasticdepth.benchmark.MainActivityTest.awaitEnd;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import android.content.Context;
import android.content.Intent;
import android.os.Build;
import android.widget.LinearLayout;
import androidx.test.core.app.ActivityScenario;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.io.File;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.desktop.SchemaAssert;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;

/**
 * The benchmark on Android 7.0 (API 24, minSdk). On the JVM every java.* method exists whatever
 * the SDK, so what API 24 lacks (java.nio.file, the cause of defect 3) is caught by the build's
 * API level gate (animal-sniffer); this test runs the whole suite at API 24 with the platform's
 * API 24 behaviour (no NNAPI, no thermal status, Build.HARDWARE as SoC).
 */
@RunWith(AndroidJUnit4.class)
@Config(sdk = 24)
public class Api24BenchmarkTest {
  @Test
  public void aHeadlessRunOnAndroid7MeasuresEveryDepthWithItsResidentMemory() throws Exception {
    assertEquals(24, Build.VERSION.SDK_INT);
    Context context = ApplicationProvider.getApplicationContext();
    TestRuntimes.install(TestRuntimes.tinyBundle(null));
    Intent intent = new Intent(context, MainActivity.class).putExtra("autostart", true).putExtra("executors", "cpu1")
        .putExtra("runs", 2).putExtra("warmup", 0).putExtra("samples", 4).putExtra("sustainedSeconds", 1)
        .putExtra("out", "api24.json");
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(intent)) {
      scenario.onActivity(a -> {
        LinearLayout boxes = a.findViewById(R.id.executors);
        for (int i = 0; i < boxes.getChildCount(); i++) {
          assertNotEquals("no NNAPI below API 27", "nnapi", boxes.getChildAt(i).getTag());
        }
        assertEquals("gpu", boxes.getChildAt(boxes.getChildCount() - 1).getTag()); // the GPU last
      });
      awaitEnd(scenario);
      assertFinished(scenario);
    }
    File json = new File(context.getExternalFilesDir(null), "api24.json");
    SchemaAssert.assertValid(json.toPath());
    BenchmarkResult r = BenchmarkJson.read(json);
    assertEquals(24, r.device().apiLevel());
    assertEquals(Build.HARDWARE, r.device().soc());
    assertEquals(3, r.executors().get(0).depths().size());
    for (DepthResult d : r.executors().get(0).depths()) {
      assertEquals(d.error(), Status.OK, d.status());
      assertTrue("resident memory read with java.io on API 24", d.processResidentBytes() != null && d.processResidentBytes() > 0);
    }
    assertEquals(Status.OK, r.executors().get(0).sustained().status());
    r.executors().get(0).sustained().points().forEach(p -> assertNull("no thermal status below API 29", p.thermalStatus()));
  }

  @Test
  public void nnapiIsNotOfferedOnAndroid7() {
    assertTrue(ExecutorChoice.available(Build.VERSION.SDK_INT, 8).stream().noneMatch(c -> c.key().equals("nnapi")));
  }

  @Test
  public void statmIsParsedInPages() {
    assertEquals(1234L * 4096, DeviceProbes.residentBytes("5678 1234 99 1 0 200 0\n", 4096));
    assertEquals(1234L * 16384, DeviceProbes.residentBytes("5678 1234 99 1 0 200 0", 16384));
  }
}
