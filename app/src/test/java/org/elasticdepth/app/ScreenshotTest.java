package org.elasticdepth.app;

import static org.elasticdepth.app.MainActivityTest.awaitText;
import static org.elasticdepth.app.MainActivityTest.read;
import static org.robolectric.Shadows.shadowOf;

import android.app.Activity;
import android.app.Application;
import android.content.Context;
import android.content.pm.PackageManager;
import android.graphics.Bitmap;
import android.graphics.Canvas;
import android.hardware.camera2.CameraCharacteristics;
import android.hardware.camera2.CameraManager;
import android.view.View;
import android.widget.TextView;
import androidx.test.core.app.ActivityScenario;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.elasticdepth.testing.ScreenshotComparison;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;
import org.robolectric.annotation.GraphicsMode;
import org.robolectric.shadows.ShadowActivity.PermissionsRequest;
import org.robolectric.shadows.ShadowCameraCharacteristics;

/**
 * Renders every state of the demo's screen with Robolectric's native graphics and compares it
 * with {@code docs/screenshots/} ({@link ScreenshotComparison}; {@code -Dscreenshots.update=true}
 * rewrites them). States are deterministic: the main looper's clock does not move, so the sample
 * slideshow stays on sample 0, the real bundle gives the same answer every run, and the timings
 * on screen (ms per frame, the planner's measured latency) are replaced by fixed values.
 */
@RunWith(AndroidJUnit4.class)
@GraphicsMode(GraphicsMode.Mode.NATIVE)
@Config(qualifiers = "w360dp-h720dp-port-hdpi")
public class ScreenshotTest {
  static final File COMMITTED = new File("../docs/screenshots");
  static final File DIFFS = new File("target/screenshots");

  private Application app;

  @Before
  public void setUp() {
    app = ApplicationProvider.getApplicationContext();
    TestRuntimes.install(TestRuntimes.appBundle());
  }

  @Test
  public void sampleModeWithAResult() throws IOException {
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      awaitFirstResult(scenario);
      compare("demo-samples", scenario);
    }
  }

  @Test
  @Config(qualifiers = "w720dp-h360dp-land-hdpi")
  public void settingsInLandscape() throws IOException {
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      awaitFirstResult(scenario);
      scenario.onActivity(a -> a.findViewById(R.id.rule_manual).performClick());
      awaitText(scenario, R.id.threshold_value, "confidence");
      awaitFirstResult(scenario);
      compare("demo-settings", scenario);
    }
  }

  @Test
  public void cameraPermissionDenied() throws IOException {
    CameraCharacteristics characteristics = ShadowCameraCharacteristics.newCameraCharacteristics();
    shadowOf(characteristics).set(CameraCharacteristics.LENS_FACING, CameraCharacteristics.LENS_FACING_BACK);
    shadowOf((CameraManager) app.getSystemService(Context.CAMERA_SERVICE)).addCamera("0", characteristics);
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      PermissionsRequest request = read(scenario, a -> shadowOf(a).getLastRequestedPermission());
      scenario.onActivity(a -> a.onRequestPermissionsResult(request.requestCode, request.requestedPermissions,
          new int[] {PackageManager.PERMISSION_DENIED}));
      awaitText(scenario, R.id.message_title, app.getString(R.string.permission_denied_title));
      compare("demo-permission-denied", scenario);
    }
  }

  @Test
  public void invalidBundle() throws IOException {
    try (ActivityScenario<MainActivity> scenario = ActivityScenario.launch(MainActivity.class)) {
      awaitFirstResult(scenario);
      OpenBundleTest.pick(scenario, OpenBundleTest.offer("my-model.zip", OpenBundleTest.tamperedTinyBundle()));
      awaitText(scenario, R.id.message_title, app.getString(R.string.bundle_refused_title));
      compare("demo-invalid-bundle", scenario);
    }
  }

  private void awaitFirstResult(ActivityScenario<MainActivity> scenario) {
    TestRuntimes.await("a classified sample", () -> read(scenario, a -> a.findViewById(R.id.truth_text).getTag()) != null);
    // the numbers that change run to run: measured frame time and the planner's measured latency
    scenario.onActivity(a -> {
      ((TextView) a.findViewById(R.id.latency_text)).setText(a.getString(R.string.latency, 0.5, 10));
      TextView plan = a.findViewById(R.id.plan_text);
      plan.setText(plan.getText().toString().replaceAll("\\d+\\.\\d+ ms", "0.20 ms"));
    });
  }

  private static void compare(String name, ActivityScenario<MainActivity> scenario) throws IOException {
    AtomicReference<byte[]> png = new AtomicReference<>();
    scenario.onActivity(a -> png.set(render(a)));
    ScreenshotComparison.assertMatchesCommitted(name, png.get(), COMMITTED, DIFFS);
  }

  /** The activity's window content as PNG bytes. */
  static byte[] render(Activity activity) {
    View root = activity.getWindow().getDecorView();
    // lay out again: the masked text may have changed sizes since the last traversal
    root.measure(View.MeasureSpec.makeMeasureSpec(root.getWidth(), View.MeasureSpec.EXACTLY),
        View.MeasureSpec.makeMeasureSpec(root.getHeight(), View.MeasureSpec.EXACTLY));
    root.layout(0, 0, root.getWidth(), root.getHeight());
    root.jumpDrawablesToCurrentState(); // the clock stands still: end state animations (radio buttons) now
    Bitmap bitmap = Bitmap.createBitmap(root.getWidth(), root.getHeight(), Bitmap.Config.ARGB_8888);
    root.draw(new Canvas(bitmap));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    bitmap.compress(Bitmap.CompressFormat.PNG, 100, out);
    return out.toByteArray();
  }
}
