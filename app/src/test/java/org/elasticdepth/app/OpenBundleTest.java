package org.elasticdepth.app;

import static androidx.test.espresso.Espresso.onView;
import static androidx.test.espresso.action.ViewActions.click;
import static androidx.test.espresso.action.ViewActions.scrollTo;
import static androidx.test.espresso.assertion.ViewAssertions.matches;
import static androidx.test.espresso.matcher.ViewMatchers.withEffectiveVisibility;
import static androidx.test.espresso.matcher.ViewMatchers.withId;
import static androidx.test.espresso.matcher.ViewMatchers.withText;
import static org.elasticdepth.app.MainActivityTest.awaitText;
import static org.elasticdepth.app.MainActivityTest.text;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.app.Activity;
import android.app.Application;
import android.content.Intent;
import android.net.Uri;
import androidx.test.core.app.ActivityScenario;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.espresso.matcher.ViewMatchers.Visibility;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.shadows.ShadowActivity.IntentForResult;

/**
 * "Open bundle…": the document picker's zip is copied, verified and switched to, and remembered
 * across restarts; a bad one (tampered, truncated, wrong format version, not a bundle) is refused
 * with its name and problem on screen while the previous bundle stays in use.
 */
@RunWith(AndroidJUnit4.class)
public class OpenBundleTest {
  private Application app;

  @Before
  public void builtInIsTheTinyBundle() {
    app = ApplicationProvider.getApplicationContext();
    TestRuntimes.install(TestRuntimes.tinyBundle()); // depth 3: a switch to the 6-block app bundle shows
  }

  @Test
  public void switchesToTheBundleFromTheDocumentPickerAndRemembersIt() throws Exception {
    Uri uri = offer("fashion-6.zip", zip(directory(new File("src/main/assets/bundle"))));
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      awaitText(scenario, R.id.plan_text, "graphs, depth 3 of 3:");
      pick(scenario, uri);
      awaitText(scenario, R.id.plan_text, "of 6:");
      awaitText(scenario, R.id.bundle_name, "fashion-6.zip");
      onView(withId(R.id.message_panel)).check(matches(withEffectiveVisibility(Visibility.GONE)));
    }
    assertEquals("fashion-6.zip", new BundleStore(app).remembered().name());
    try (ActivityScenario<MainActivity> restarted = ActivityScenario.launch(MainActivity.class)) {
      awaitText(restarted, R.id.plan_text, "of 6:");
      awaitText(restarted, R.id.bundle_name, "fashion-6.zip");
    }
    assertEquals("only the bundle in use is kept", 1, bundleCopies().length);
  }

  @Test
  public void refusesATamperedBundleAndKeepsTheOne() throws Exception {
    Uri uri = offer("tampered.zip", tamperedTinyBundle());
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      awaitText(scenario, R.id.plan_text, "graphs, depth 3 of 3:");
      pick(scenario, uri);
      awaitText(scenario, R.id.message_title, app.getString(R.string.bundle_refused_title));
      String message = text(scenario, R.id.message_text);
      assertTrue(message, message.contains("tampered.zip") && message.contains("INTEGRITY")
          && message.contains("block_02.tflite") && message.contains("Still using: built-in"));
      assertTrue("no private path on screen: " + message, !message.contains(app.getFilesDir().getPath()));
      onView(withId(R.id.message_primary)).check(matches(withText(R.string.ok))).perform(click());
      onView(withId(R.id.message_panel)).check(matches(withEffectiveVisibility(Visibility.GONE)));
      awaitText(scenario, R.id.plan_text, "graphs, depth 3 of 3:");
      awaitText(scenario, R.id.truth_text, "true:"); // still classifying with the built-in bundle
    }
    assertTrue(new BundleStore(app).remembered().isBuiltIn());
    awaitNoCopies();
  }

  @Test
  public void truncatedWrongVersionAndNotABundleAreRefusedByName() throws Exception {
    byte[] good = zip(TestBundles.buffers(TestBundles.TINY));
    Map<String, ByteBuffer> newer = TestBundles.buffers(TestBundles.TINY);
    String manifest = StandardCharsets.UTF_8.decode(newer.get("manifest.json").duplicate()).toString();
    newer.put("manifest.json", ByteBuffer.wrap(manifest.replaceFirst("\"formatVersion\"\\s*:\\s*1", "\"formatVersion\": 99")
        .getBytes(StandardCharsets.UTF_8)));
    Map<String, ByteBuffer> photos = new TreeMap<>();
    photos.put("holiday.txt", ByteBuffer.wrap("not a model".getBytes(StandardCharsets.UTF_8)));
    Object[][] cases = {
        {"truncated.zip", Arrays.copyOf(good, good.length / 2), "IO"},
        {"newer.zip", zip(newer), "UNSUPPORTED_VERSION"},
        {"photos.zip", zip(photos), "MISSING_FILE"},
        {"notes.txt", "hello".getBytes(StandardCharsets.UTF_8), "IO"},
    };
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      awaitText(scenario, R.id.plan_text, "graphs, depth 3 of 3:");
      for (Object[] c : cases) {
        pick(scenario, offer((String) c[0], (byte[]) c[1]));
        awaitText(scenario, R.id.message_text, (String) c[0]);
        String message = text(scenario, R.id.message_text);
        assertTrue(message, message.contains((String) c[2]) && message.contains("Still using: built-in"));
        onView(withId(R.id.message_primary)).perform(click());
        awaitText(scenario, R.id.plan_text, "graphs, depth 3 of 3:");
      }
    }
    assertTrue(new BundleStore(app).remembered().isBuiltIn());
    awaitNoCopies();
  }

  // ---------------------------------------------------------------- helpers

  /** Clicks "Open bundle…", checks the picker request, and answers it with {@code uri}. */
  static void pick(ActivityScenario<MainActivity> scenario, Uri uri) {
    onView(withId(R.id.open_bundle)).perform(scrollTo(), click());
    scenario.onActivity(a -> {
      IntentForResult request = shadowOf(a).getNextStartedActivityForResult();
      assertEquals(Intent.ACTION_OPEN_DOCUMENT, request.intent.getAction());
      assertArrayEquals(MainActivity.BUNDLE_MIME_TYPES, request.intent.getStringArrayExtra(Intent.EXTRA_MIME_TYPES));
      shadowOf(a).receiveResult(request.intent, Activity.RESULT_OK, new Intent().setData(uri));
    });
  }

  static Uri offer(String name, byte[] content) {
    Application app = ApplicationProvider.getApplicationContext();
    Uri uri = Uri.parse("content://org.elasticdepth.test.documents/document/" + name);
    shadowOf(app.getContentResolver()).registerInputStream(uri, new ByteArrayInputStream(content));
    return uri;
  }

  private File[] bundleCopies() {
    File[] files = new File(app.getFilesDir(), "bundles").listFiles();
    return files == null ? new File[0] : files;
  }

  private void awaitNoCopies() {
    TestRuntimes.await("refused copies deleted", () -> bundleCopies().length == 0);
  }

  private static Map<String, ByteBuffer> directory(File dir) throws IOException {
    Map<String, ByteBuffer> files = new TreeMap<>();
    for (File f : dir.listFiles()) {
      files.put(f.getName(), ByteBuffer.wrap(Files.readAllBytes(f.toPath())));
    }
    return files;
  }

  /** The tiny bundle with one bit of block_02.tflite flipped: same size, wrong hash. */
  static byte[] tamperedTinyBundle() throws IOException {
    Map<String, ByteBuffer> files = TestBundles.buffers(TestBundles.TINY);
    ByteBuffer block = copy(files.get("block_02.tflite"));
    block.put(block.limit() / 2, (byte) (block.get(block.limit() / 2) ^ 1));
    files.put("block_02.tflite", block);
    return zip(files);
  }

  static byte[] zip(Map<String, ByteBuffer> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, ByteBuffer> e : new TreeMap<>(files).entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        ByteBuffer b = e.getValue().duplicate();
        byte[] content = new byte[b.remaining()];
        b.get(content);
        out.write(content);
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static ByteBuffer copy(ByteBuffer source) {
    ByteBuffer b = source.duplicate();
    ByteBuffer copy = ByteBuffer.allocate(b.remaining());
    copy.put(b);
    copy.flip();
    return copy;
  }
}
