package org.elasticdepth.benchmark;

import static org.elasticdepth.benchmark.MainActivityTest.assertFinished;
import static org.elasticdepth.benchmark.MainActivityTest.awaitEnd;
import static org.elasticdepth.benchmark.MainActivityTest.read;
import static org.elasticdepth.benchmark.MainActivityTest.text;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import android.content.Context;
import android.content.Intent;
import android.util.Log;
import androidx.lifecycle.ViewModelProvider;
import androidx.test.core.app.ActivityScenario;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.bundle.Sha256;
import org.elasticdepth.runtime.desktop.SchemaAssert;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.shadows.ShadowLog;

/**
 * Any bundle without rebuilding: a bundle pushed into the app's files folder ({@code adb push}) is
 * picked with {@code --es bundle NAME}, verified, measured and named in the result; a bad one is
 * refused with its name and problem, and nothing runs.
 */
@RunWith(AndroidJUnit4.class)
public class PushedBundlesTest {
  private Context context;
  private File filesDir;
  private final List<String> created = new ArrayList<>();

  @Before
  public void setUp() {
    context = ApplicationProvider.getApplicationContext();
    filesDir = context.getExternalFilesDir(null);
    // The built-in bundle is runtime-desktop's tiny one: a pushed bundle must not be confused with it.
    TestRuntimes.install(TestRuntimes.tinyBundle(true, created));
  }

  /** runtime-desktop's tiny bundle (depth 3, 28x28x1) as `exporter export --zip` would write it, in one folder. */
  private static Map<String, byte[]> tinyFiles() {
    return new TreeMap<>(TestBundles.bytes(TestBundles.TINY));
  }

  private File push(String name, Map<String, byte[]> files) throws IOException {
    File zip = new File(filesDir, name);
    try (OutputStream out = new FileOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        z.putNextEntry(new ZipEntry("my-model/" + f.getKey())); // one top-level folder, as zipping a directory gives
        z.write(f.getValue());
      }
    }
    return zip;
  }

  private static Intent run(Context context, String bundle, String out) {
    return new Intent(context, MainActivity.class)
        .putExtra("autostart", true)
        .putExtra("bundle", bundle)
        .putExtra("executors", "cpu1")
        .putExtra("depths", "1,3")
        .putExtra("runs", 2)
        .putExtra("warmup", 0)
        .putExtra("samples", 4)
        .putExtra("out", out);
  }

  @Test
  public void aPushedZipIsListedRunAndNamedInTheResult() throws Exception {
    Map<String, byte[]> files = tinyFiles();
    File zip = push("my-model.zip", files);
    File dir = new File(filesDir, "unpacked");
    assertTrue(dir.mkdir());
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Files.write(new File(dir, f.getKey()).toPath(), f.getValue());
    }
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(run(context, "my-model.zip", "pushed.json"))) {
      String listed = text(scenario, R.id.bundles);
      assertTrue(listed, listed.contains(filesDir.getAbsolutePath()) && listed.endsWith(": my-model.zip, unpacked/"));
      awaitEnd(scenario);
      assertFinished(scenario);
    }
    File json = new File(filesDir, "pushed.json");
    SchemaAssert.assertValid(json.toPath());
    BenchmarkResult r = BenchmarkJson.read(json);
    assertEquals(zip.getPath(), r.bundle().location());
    assertEquals(Sha256.hex(files.get("manifest.json")), r.bundle().manifestSha256());
    assertEquals(List.of(28, 28, 1), r.bundle().inputShape());
    assertEquals(3, r.bundle().depth());
    assertEquals(Status.OK, r.executors().get(0).okDepth(3).status());
    assertEquals(Status.OK, r.executors().get(0).earlyExit().status());
    assertEquals("the pushed bundle ran, not the built-in one", List.of("cpu1"), created);
  }

  @Test
  public void aPushedDirectoryRunsToo() throws Exception {
    File dir = new File(filesDir, "my_dir");
    assertTrue(dir.mkdir());
    Map<String, byte[]> files = tinyFiles();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Files.write(new File(dir, f.getKey()).toPath(), f.getValue());
    }
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(run(context, "my_dir", "dir.json"))) {
      awaitEnd(scenario);
      assertFinished(scenario);
    }
    BenchmarkResult r = BenchmarkJson.read(new File(filesDir, "dir.json"));
    assertEquals(dir.getPath(), r.bundle().location());
    assertEquals(Sha256.hex(files.get("manifest.json")), r.bundle().manifestSha256());
  }

  @Test
  public void withoutAPushedBundleTheBuiltInOneRunsAndTheScreenSaysSo() throws Exception {
    Intent intent = run(context, "ignored", "built-in.json");
    intent.removeExtra("bundle");
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(intent)) {
      assertTrue(text(scenario, R.id.bundles), text(scenario, R.id.bundles).startsWith("No bundles pushed to "));
      awaitEnd(scenario);
      assertFinished(scenario);
    }
    BenchmarkResult r = BenchmarkJson.read(new File(filesDir, "built-in.json"));
    assertTrue(r.bundle().location(), r.bundle().location().startsWith("in-memory bundle")); // TestRuntimes' built-in
    assertEquals(List.of("cpu1"), created);
  }

  @Test
  public void badPushedBundlesAreRefusedByNameAndNothingRuns() throws Exception {
    Map<String, byte[]> good = tinyFiles();
    // truncated: the copy stopped half way
    File whole = push("whole.zip", good);
    byte[] bytes = Files.readAllBytes(whole.toPath());
    Files.write(new File(filesDir, "truncated.zip").toPath(), Arrays.copyOf(bytes, bytes.length / 2));
    assertTrue(whole.delete());
    // tampered: one byte of a graph changed, the manifest left alone
    Map<String, byte[]> tampered = new TreeMap<>(good);
    byte[] block = tampered.get("block_02.tflite").clone();
    block[block.length / 2] ^= 0x40;
    tampered.put("block_02.tflite", block);
    push("tampered.zip", tampered);
    // a format version this app cannot read
    Map<String, byte[]> future = new TreeMap<>(good);
    String manifest = new String(good.get("manifest.json"), StandardCharsets.UTF_8);
    assertTrue(manifest.contains("\"formatVersion\": 1"));
    future.put("manifest.json", manifest.replace("\"formatVersion\": 1", "\"formatVersion\": 99").getBytes(StandardCharsets.UTF_8));
    push("future.zip", future);
    // not a bundle at all
    Files.write(new File(filesDir, "notes.zip").toPath(), "just some notes".getBytes(StandardCharsets.UTF_8));
    push("photos.zip", Map.of("cat.jpg", new byte[] {1, 2, 3}));

    String[][] cases = {
        {"truncated.zip", "truncated.zip", "bad bundle (IO)"},
        {"tampered.zip", "block_02.tflite in " + new File(filesDir, "tampered.zip").getPath() + " has SHA-256", "(corrupted or tampered)"},
        {"future.zip", "bundle future.zip: ", "bad bundle (UNSUPPORTED_VERSION)"},
        {"notes.zip", "notes.zip", "bad bundle (IO)"},
        {"photos.zip", "photos.zip has no manifest.json", "bad bundle (MISSING_FILE)"},
        {"absent.zip", "bundle 'absent.zip' not found in " + filesDir + "; found: future.zip, notes.zip, photos.zip, tampered.zip, truncated.zip", "bad bundle (MISSING_FILE)"},
    };
    for (String[] c : cases) {
      ShadowLog.clear();
      try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(run(context, c[0], "bad.json"))) {
        awaitEnd(scenario);
        assertEquals(c[0], read(scenario, a -> a.getString(R.string.failed)), text(scenario, R.id.progress_text));
        String error = text(scenario, R.id.error);
        assertTrue(c[0] + ": " + error, error.contains(c[1]) && error.contains(c[2]));
        assertEquals(RunState.Phase.FAILED, read(scenario, a -> new ViewModelProvider(a).get(BenchmarkViewModel.class).state().phase()));
        assertTrue(c[0] + " logged", ShadowLog.getLogsForTag(BenchmarkViewModel.TAG).stream()
            .anyMatch(l -> l.type == Log.ERROR && l.msg.contains(c[1])));
      }
      assertFalse(c[0] + ": nothing written", new File(filesDir, "bad.json").exists());
    }
    assertEquals("no executor was ever created", List.of(), created);
  }
}
