package org.elasticdepth.app;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.robolectric.Shadows.shadowOf;

import android.content.Context;
import android.hardware.camera2.CameraCharacteristics;
import android.hardware.camera2.CameraManager;
import android.util.Size;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.shadows.ShadowCameraCharacteristics;

@RunWith(AndroidJUnit4.class)
public class CameraSourceTest {
  private final Context context = ApplicationProvider.getApplicationContext();

  private void addCamera(String id, int facing) {
    CameraCharacteristics characteristics = ShadowCameraCharacteristics.newCameraCharacteristics();
    shadowOf(characteristics).set(CameraCharacteristics.LENS_FACING, facing);
    shadowOf((CameraManager) context.getSystemService(Context.CAMERA_SERVICE)).addCamera(id, characteristics);
  }

  @Test
  public void prefersTheBackCameraAndReportsNoneWhenThereIsNone() {
    assertNull(CameraSource.findCamera(context));
    addCamera("1", CameraCharacteristics.LENS_FACING_FRONT);
    assertEquals("1", CameraSource.findCamera(context)); // a front camera beats none
    addCamera("0", CameraCharacteristics.LENS_FACING_BACK);
    assertEquals("0", CameraSource.findCamera(context));
  }

  @Test
  public void analysisUsesTheSmallestSizeWithEnoughPixels() {
    Size[] sizes = {new Size(1920, 1080), new Size(640, 480), new Size(320, 240), new Size(176, 144)};
    assertEquals(new Size(320, 240), CameraSource.smallestAtLeast(sizes, 240));
    assertEquals(new Size(1920, 1080), CameraSource.smallestAtLeast(new Size[] {new Size(1920, 1080), new Size(176, 144)}, 2000));
  }

  @Test
  public void previewUsesTheLargestSizeWithinBoundsPreferringTheAnalysisAspect() {
    Size[] sizes = {new Size(4000, 3000), new Size(1920, 1080), new Size(1440, 1080), new Size(640, 480)};
    assertEquals(new Size(1440, 1080), CameraSource.largestAtMost(sizes, 1920 * 1080, new Size(320, 240)));
    assertEquals(new Size(1920, 1080), CameraSource.largestAtMost(sizes, 1920 * 1080, new Size(1280, 720)));
    assertEquals(new Size(640, 480), CameraSource.largestAtMost(sizes, 100, new Size(320, 240))); // none fits: the smallest
  }
}
