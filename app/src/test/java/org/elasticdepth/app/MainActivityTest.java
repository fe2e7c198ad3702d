package org.elasticdepth.app;

import static androidx.test.espresso.Espresso.onView;
import static androidx.test.espresso.action.ViewActions.click;
import static androidx.test.espresso.action.ViewActions.scrollTo;
import static androidx.test.espresso.assertion.ViewAssertions.matches;
import static androidx.test.espresso.matcher.ViewMatchers.isDisplayed;
import static androidx.test.espresso.matcher.ViewMatchers.withEffectiveVisibility;
import static androidx.test.espresso.matcher.ViewMatchers.withId;
import static androidx.test.espresso.matcher.ViewMatchers.withText;
import static org.elasticdepth.app.TestRuntimes.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.Manifest;
import android.app.Application;
import android.content.Context;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.hardware.camera2.CameraCharacteristics;
import android.hardware.camera2.CameraManager;
import android.os.PowerManager;
import android.provider.Settings;
import android.widget.LinearLayout;
import android.widget.Spinner;
import android.widget.TextView;
import androidx.test.core.app.ActivityScenario;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.espresso.matcher.ViewMatchers.Visibility;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.elasticdepth.app.DemoSettings.ExecutorChoice;
import org.elasticdepth.app.DemoSettings.ExitRule;
import org.elasticdepth.app.DemoSettings.Source;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.shadows.ShadowActivity.PermissionsRequest;
import org.robolectric.shadows.ShadowCameraCharacteristics;

/**
 * The demo's screen on the JVM (Robolectric) with Espresso, running the real runtime on the
 * desktop TFLite executor with runtime-desktop's tiny bundle (depth 3, random weights): the
 * permission paths, sample mode, settings and errors. {@link SampleModeAccuracyTest} runs the
 * app's real Fashion-MNIST bundle.
 */
@RunWith(AndroidJUnit4.class)
public class MainActivityTest {
  private Application app;

  @Before
  public void useTheTinyBundleOnDesktopTflite() {
    app = ApplicationProvider.getApplicationContext();
    TestRuntimes.install(TestRuntimes.tinyBundle());
  }

  @Test
  public void launchesIntoSampleModeWhenThereIsNoCamera() {
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      await("a classified sample", () -> read(scenario, a -> a.findViewById(R.id.truth_text).getTag()) != null);
      onView(withId(R.id.sample_image)).check(matches(isDisplayed()));
      onView(withId(R.id.exit_text)).check(matches(withText(containsString("/ 3"))));
      onView(withId(R.id.latency_text)).check(matches(withText(containsString("ms per frame"))));
      onView(withId(R.id.executor_text)).check(matches(withText(containsString("CPU"))));
      onView(withId(R.id.plan_text)).check(matches(withText(containsString("graphs, depth 3 of 3:"))));
      onView(withId(R.id.source_button)).check(matches(withText(R.string.use_camera)));
      assertEquals(Source.SAMPLES, new SettingsStore(app).load().source());
    }
  }

  @Test
  public void deniedPermissionExplainsAndLinksToTheAppSettings() {
    addBackCamera();
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      PermissionsRequest request = read(scenario, a -> shadowOf(a).getLastRequestedPermission());
      assertNotNull("the activity asks for the camera", request);
      assertArrayEquals(new String[] {Manifest.permission.CAMERA}, request.requestedPermissions);
      scenario.onActivity(a -> a.onRequestPermissionsResult(request.requestCode, request.requestedPermissions,
          new int[] {PackageManager.PERMISSION_DENIED}));

      onView(withId(R.id.message_title)).check(matches(withText(R.string.permission_denied_title)));
      onView(withId(R.id.message_text)).check(matches(withText(R.string.permission_denied)));
      onView(withId(R.id.message_primary)).check(matches(withText(R.string.open_settings))).perform(click());
      Intent settings = shadowOf(app).getNextStartedActivity();
      assertEquals(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, settings.getAction());
      assertEquals("package:org.elasticdepth.app", settings.getDataString());

      onView(withId(R.id.message_secondary)).check(matches(withText(R.string.use_samples))).perform(click());
      onView(withId(R.id.message_panel)).check(matches(withEffectiveVisibility(Visibility.GONE)));
      await("a classified sample", () -> read(scenario, a -> a.findViewById(R.id.truth_text).getTag()) != null);
    }
  }

  @Test
  public void rationaleComesBeforeTheRequest() {
    addBackCamera();
    shadowOf(app.getPackageManager()).setShouldShowRequestPermissionRationale(Manifest.permission.CAMERA, true);
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      onView(withId(R.id.message_title)).check(matches(withText(R.string.permission_rationale_title)));
      assertNull(read(scenario, a -> shadowOf(a).getLastRequestedPermission()));
      onView(withId(R.id.message_primary)).check(matches(withText(R.string.permission_continue))).perform(click());
      PermissionsRequest request = read(scenario, a -> shadowOf(a).getLastRequestedPermission());
      assertArrayEquals(new String[] {Manifest.permission.CAMERA}, request.requestedPermissions);
    }
  }

  @Test
  public void cameraErrorsShowAMessageAndRetry() {
    addBackCamera();
    shadowOf(app).grantPermissions(Manifest.permission.CAMERA);
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      onView(withId(R.id.preview)).check(matches(isDisplayed()));
      scenario.onActivity(a -> a.onCameraError("The camera was disconnected (another app may be using it)."));
      onView(withId(R.id.message_title)).check(matches(withText(R.string.camera_error_title)));
      onView(withId(R.id.message_text)).check(matches(withText(containsString("disconnected"))));
      onView(withId(R.id.message_primary)).check(matches(withText(R.string.retry))).perform(click());
      onView(withId(R.id.message_panel)).check(matches(withEffectiveVisibility(Visibility.GONE)));
      onView(withId(R.id.preview)).check(matches(isDisplayed()));
    }
  }

  @Test
  public void changingTheDepthCapChangesThePlannedDepth() {
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      awaitText(scenario, R.id.plan_text, "graphs, depth 3 of 3:");
      select(scenario, R.id.depth_spinner, 2);
      awaitText(scenario, R.id.plan_text, "graphs, depth 2 of 3:");
      onView(withId(R.id.next_sample)).perform(scrollTo(), click());
      awaitText(scenario, R.id.exit_text, "/ 2 (model has 3)");
      assertEquals(2, new SettingsStore(app).load().depthCap());

      select(scenario, R.id.depth_spinner, 0); // auto
      awaitText(scenario, R.id.plan_text, "graphs, depth 3 of 3:");
    }
  }

  @Test
  public void aHotPhoneRunsFewerBlocksUntilItCoolsDown() {
    PowerManager power = (PowerManager) app.getSystemService(Context.POWER_SERVICE);
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      awaitText(scenario, R.id.plan_text, "graphs, depth 3 of 3:");
      shadowOf(power).setCurrentThermalStatus(PowerManager.THERMAL_STATUS_SEVERE); // notifies listeners
      awaitText(scenario, R.id.plan_text, "graphs, depth 1 of 3:");
      awaitText(scenario, R.id.plan_text, "thermal");
      shadowOf(power).setCurrentThermalStatus(PowerManager.THERMAL_STATUS_NONE);
      awaitText(scenario, R.id.plan_text, "graphs, depth 3 of 3:");
    }
    assertTrue("the closed session stopped watching", shadowOf(power).getThermalStatusListeners().isEmpty());
  }

  @Test
  public void settingsSurviveRotationAndRestart() {
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      awaitText(scenario, R.id.plan_text, "graphs, depth 3 of 3:");
      select(scenario, R.id.depth_spinner, 1);
      select(scenario, R.id.executor_spinner, ExecutorChoice.CPU.ordinal());
      select(scenario, R.id.threads_spinner, 2);
      onView(withId(R.id.rule_manual)).perform(scrollTo(), click());
      awaitText(scenario, R.id.plan_text, "graphs, depth 1 of 3:");

      RuntimeEnvironment.setQualifiers("+land");
      scenario.recreate();
      assertEquals("landscape layout", LinearLayout.HORIZONTAL,
          (int) read(scenario, a -> ((LinearLayout) ((android.view.ViewGroup) a.findViewById(android.R.id.content))
              .getChildAt(0).findViewById(R.id.preview).getParent().getParent()).getOrientation()));
      awaitText(scenario, R.id.plan_text, "graphs, depth 1 of 3:");
      assertSettingsShown(scenario);
    }
    try (ActivityScenario<MainActivity> restarted = ActivityScenario.launch(MainActivity.class)) {
      awaitText(restarted, R.id.plan_text, "graphs, depth 1 of 3:");
      assertSettingsShown(restarted);
    }
    DemoSettings saved = new SettingsStore(app).load();
    assertEquals(1, saved.depthCap());
    assertEquals(ExecutorChoice.CPU, saved.executor());
    assertEquals(2, saved.threads());
    assertEquals(ExitRule.MANUAL, saved.exitRule());
  }

  private void assertSettingsShown(ActivityScenario<MainActivity> scenario) {
    assertEquals(1, (int) read(scenario, a -> ((Spinner) a.findViewById(R.id.depth_spinner)).getSelectedItemPosition()));
    assertEquals(ExecutorChoice.CPU.ordinal(),
        (int) read(scenario, a -> ((Spinner) a.findViewById(R.id.executor_spinner)).getSelectedItemPosition()));
    assertEquals(2, (int) read(scenario, a -> ((Spinner) a.findViewById(R.id.threads_spinner)).getSelectedItemPosition()));
    // the manual rule's controls are shown (maybe below the fold), the target's are not
    onView(withId(R.id.threshold_seek)).check(matches(withEffectiveVisibility(Visibility.VISIBLE)));
    onView(withId(R.id.target_spinner)).check(matches(not(withEffectiveVisibility(Visibility.VISIBLE))));
  }

  @Test
  public void aMalformedManifestShowsAnErrorScreenNotACrash() {
    TestRuntimes.install(TestRuntimes.tinyBundleWith("manifest.json",
        ByteBuffer.wrap("{\"format\": \"elastic-vit-bundle\"".getBytes(StandardCharsets.UTF_8))));
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      awaitText(scenario, R.id.message_title, app.getString(R.string.bundle_error_title));
      onView(withId(R.id.message_text)).check(matches(withText(containsString("MALFORMED_MANIFEST"))));
      onView(withId(R.id.message_primary)).check(matches(withEffectiveVisibility(Visibility.GONE)));
    }
  }

  @Test
  public void aTruncatedGraphShowsAnErrorScreenNamingTheFile() {
    ByteBuffer truncated = ByteBuffer.allocateDirect(100);
    TestRuntimes.install(TestRuntimes.tinyBundleWith("block_02.tflite", truncated));
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      awaitText(scenario, R.id.message_title, app.getString(R.string.bundle_error_title));
      onView(withId(R.id.message_text)).check(matches(withText(containsString("INTEGRITY"))));
      onView(withId(R.id.message_text)).check(matches(withText(containsString("block_02.tflite"))));
    }
  }

  // ---------------------------------------------------------------- helpers

  private void addBackCamera() {
    CameraCharacteristics characteristics = ShadowCameraCharacteristics.newCameraCharacteristics();
    shadowOf(characteristics).set(CameraCharacteristics.LENS_FACING, CameraCharacteristics.LENS_FACING_BACK);
    shadowOf((CameraManager) app.getSystemService(Context.CAMERA_SERVICE)).addCamera("0", characteristics);
  }

  static <T> T read(ActivityScenario<MainActivity> scenario, Function<MainActivity, T> reader) {
    AtomicReference<T> value = new AtomicReference<>();
    scenario.onActivity(a -> value.set(reader.apply(a)));
    return value.get();
  }

  static String text(ActivityScenario<MainActivity> scenario, int id) {
    return read(scenario, a -> ((TextView) a.findViewById(id)).getText().toString());
  }

  static void awaitText(ActivityScenario<MainActivity> scenario, int id, String part) {
    try {
      await("'" + part + "' in view " + id, () -> text(scenario, id).contains(part));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; it shows '" + text(scenario, id) + "'" + messageShown(scenario));
    }
    onView(withId(id)).check(matches(withText(containsString(part))));
  }

  /** The message panel's text when it is visible, for failure messages. */
  static String messageShown(ActivityScenario<MainActivity> scenario) {
    boolean shown = read(scenario, a -> a.findViewById(R.id.message_panel).getVisibility() == android.view.View.VISIBLE);
    return shown ? "; the screen says: " + text(scenario, R.id.message_title) + ": " + text(scenario, R.id.message_text) : "";
  }

  /** Picks a spinner entry as a user would (Spinner popups are a separate window Espresso cannot reach here). */
  static void select(ActivityScenario<MainActivity> scenario, int spinnerId, int position) {
    scenario.onActivity(a -> {
      Spinner spinner = a.findViewById(spinnerId);
      assertTrue("spinner " + spinnerId + " has " + spinner.getCount() + " entries", position < spinner.getCount());
      spinner.setSelection(position);
    });
  }
}
