package org.elasticdepth.app;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.content.Context;
import android.graphics.Canvas;
import android.graphics.ImageFormat;
import android.graphics.SurfaceTexture;
import android.hardware.camera2.CameraCharacteristics;
import android.hardware.camera2.CameraDevice;
import android.hardware.camera2.CameraManager;
import android.hardware.camera2.params.StreamConfiguration;
import android.hardware.camera2.params.StreamConfigurationDuration;
import android.hardware.camera2.params.StreamConfigurationMap;
import android.hardware.display.DisplayManager;
import android.media.Image;
import android.media.ImageReader;
import android.os.Handler;
import android.os.Looper;
import android.util.Size;
import android.view.Display;
import android.view.Surface;
import android.view.TextureView;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;
import org.robolectric.annotation.Implementation;
import org.robolectric.annotation.Implements;
import org.robolectric.annotation.RealObject;
import org.robolectric.shadow.api.Shadow;
import org.robolectric.shadows.ShadowCameraCharacteristics;
import org.robolectric.shadows.ShadowCameraManager;
import org.robolectric.shadows.ShadowImageReader;
import org.robolectric.util.ReflectionHelpers;
import org.robolectric.util.ReflectionHelpers.ClassParameter;

/**
 * {@link CameraSource} against Camera2 callbacks arriving in the orders a real phone produces
 * (Robolectric's camera shadows, a real camera thread): close() while a frame is being read,
 * a device that opens after close(), a display turned from 90 to 270 degrees, a front camera,
 * and an analysis stream sized for the model.
 */
@RunWith(AndroidJUnit4.class)
@Config(shadows = CameraSourceThreadingTest.ShadowYuvImage.class)
public class CameraSourceThreadingTest {
  private static final int YUV = ImageFormat.YUV_420_888;
  /** HAL_PIXEL_FORMAT_IMPLEMENTATION_DEFINED: what SurfaceTexture outputs are listed under. */
  private static final int PRIVATE = 0x22;

  private final Context context = ApplicationProvider.getApplicationContext();
  private final TextureView view = new TextureView(context);
  private final AtomicReference<Throwable> cameraThreadFailure = new AtomicReference<>();

  @Before
  public void landscapeDisplayAndNoCamera() {
    ShadowCameraManager.reset(); // its camera list is static
    setDisplayRotation(Surface.ROTATION_90);
  }

  @Test
  public void closeWhileTheCameraThreadReadsAFrameDoesNotPullTheImageAway() throws Exception {
    addCamera(CameraCharacteristics.LENS_FACING_BACK, 90);
    RecordingListener listener = new RecordingListener();
    listener.blockNextWantsFrame();
    CameraSource source = open(listener, 28);
    ImageReader reader = source.analysisReader();

    feedFrame(reader);
    assertTrue("the camera thread is inside deliver()", listener.insideWantsFrame.await(10, TimeUnit.SECONDS));
    Thread cameraThread = source.cameraHandler().getLooper().getThread();
    long start = System.nanoTime();
    source.close(); // the camera thread is busy with the frame: close waits, bounded, then returns
    long closeMillis = (System.nanoTime() - start) / 1_000_000;
    listener.release.countDown(); // the camera thread goes on reading the planes of its image
    cameraThread.join(10_000);

    assertNull("camera thread: " + cameraThreadFailure.get(), cameraThreadFailure.get());
    assertFalse("the camera thread ended", cameraThread.isAlive());
    assertTrue("close blocked the main thread " + closeMillis + " ms", closeMillis < CameraSource.CLOSE_WAIT_MILLIS + 1000);
    assertTrue("no frame after close", listener.frames.isEmpty());
    assertTrue("the device was closed", isClosed(lastDevice()));
  }

  @Test
  public void aDeviceThatOpensAfterCloseIsClosedAndTheThreadEnds() throws Exception {
    addCamera(CameraCharacteristics.LENS_FACING_BACK, 90);
    CameraSource source = new CameraSource(context, view, 28, new RecordingListener());
    source.start();
    Handler camera = source.cameraHandler();
    CountDownLatch release = new CountDownLatch(1);
    // The camera thread is held up before it can take the open request...
    camera.post(() -> await(release));
    view.getSurfaceTextureListener().onSurfaceTextureAvailable(new SurfaceTexture(0), 640, 480);
    Thread cameraThread = camera.getLooper().getThread();
    // ...so close() comes first, and the device's onOpened only afterwards.
    source.close();
    release.countDown();
    awaitTrue("the open request was made", () -> lastDevice() != null);
    cameraThread.join(10_000);

    assertNull("camera thread: " + cameraThreadFailure.get(), cameraThreadFailure.get());
    CameraDevice late = lastDevice();
    assertNotNull(late);
    assertTrue("the device that opened after close() was closed", isClosed(late));
    assertFalse("the camera thread ended after closing it", cameraThread.isAlive());
  }

  @Test
  public void framesFollowTheDisplayWhenItTurnsFrom90To270() throws Exception {
    addCamera(CameraCharacteristics.LENS_FACING_BACK, 90);
    RecordingListener listener = new RecordingListener();
    CameraSource source = open(listener, 28);
    try {
      // back camera, sensor 90, display 90: no rotation; the bright corner stays top-left
      feedFrame(source.analysisReader());
      assertEquals("top-left", brightCorner(listener.frames.poll(10, TimeUnit.SECONDS)));

      setDisplayRotation(Surface.ROTATION_270); // no activity is recreated for this turn
      shadowOf(Looper.getMainLooper()).idle(); // the display listener runs on the main thread
      feedFrame(source.analysisReader());
      assertEquals("rotated by 180", "bottom-right", brightCorner(listener.frames.poll(10, TimeUnit.SECONDS)));
    } finally {
      source.close();
    }
    assertNull("camera thread: " + cameraThreadFailure.get(), cameraThreadFailure.get());
  }

  @Test
  public void frontCameraFramesAreRotatedTheOtherWayAndMirrored() throws Exception {
    addCamera(CameraCharacteristics.LENS_FACING_FRONT, 270);
    RecordingListener listener = new RecordingListener();
    CameraSource source = open(listener, 28);
    try {
      // front camera, sensor 270, display 90: (270 + 90) % 360 = 0, then mirrored left-right
      feedFrame(source.analysisReader());
      assertEquals("top-right", brightCorner(listener.frames.poll(10, TimeUnit.SECONDS)));
    } finally {
      source.close();
    }
  }

  @Test
  public void rotationFormulas() {
    assertEquals(90, CameraSource.frameRotation(90, false, 0));
    assertEquals(0, CameraSource.frameRotation(90, false, 90));
    assertEquals(180, CameraSource.frameRotation(90, false, 270));
    assertEquals(270, CameraSource.frameRotation(270, true, 0));
    assertEquals(0, CameraSource.frameRotation(270, true, 90));
    assertEquals(180, CameraSource.frameRotation(270, true, 270));
  }

  @Test
  public void autofocusOnlyWhenTheCameraOffersIt() {
    assertEquals(Integer.valueOf(4), CameraSource.autofocusMode(new int[] {0, 1, 3, 4})); // CONTINUOUS_PICTURE
    assertEquals(Integer.valueOf(3), CameraSource.autofocusMode(new int[] {0, 3})); // CONTINUOUS_VIDEO
    assertNull("fixed focus: leave the template's mode", CameraSource.autofocusMode(new int[] {0}));
    assertNull(CameraSource.autofocusMode(null));
  }

  @Test
  public void theAnalysisStreamIsTheSmallestThatServesTheModel() throws Exception {
    addCamera(CameraCharacteristics.LENS_FACING_BACK, 90);
    CameraSource small = open(new RecordingListener(), 28); // needs 56 px: 176x144
    assertEquals(new Size(176, 144), size(small.analysisReader()));
    small.close();
    CameraSource large = open(new RecordingListener(), 224); // needs 448 px: 640x480
    assertEquals(new Size(640, 480), size(large.analysisReader()));
    large.close();
  }

  // ---------------------------------------------------------------- helpers

  private CameraSource open(RecordingListener listener, int modelSide) throws Exception {
    CameraSource source = new CameraSource(context, view, modelSide, listener);
    source.start();
    source.cameraHandler().getLooper().getThread().setUncaughtExceptionHandler((t, e) -> cameraThreadFailure.set(e));
    view.getSurfaceTextureListener().onSurfaceTextureAvailable(new SurfaceTexture(0), 640, 480);
    awaitTrue("the reader exists", () -> source.analysisReader() != null);
    awaitTrue("the device opened", () -> lastDevice() != null);
    drain(source.cameraHandler()); // onOpened, then onConfigured
    drain(source.cameraHandler());
    return source;
  }

  private void addCamera(int facing, int sensorDegrees) {
    CameraCharacteristics c = ShadowCameraCharacteristics.newCameraCharacteristics();
    shadowOf(c).set(CameraCharacteristics.LENS_FACING, facing);
    shadowOf(c).set(CameraCharacteristics.SENSOR_ORIENTATION, sensorDegrees);
    shadowOf(c).set(CameraCharacteristics.CONTROL_AF_AVAILABLE_MODES, new int[] {0});
    shadowOf(c).set(CameraCharacteristics.SCALER_STREAM_CONFIGURATION_MAP,
        streams(new Size(1920, 1080), new Size(640, 480), new Size(320, 240), new Size(176, 144)));
    shadowOf((CameraManager) context.getSystemService(Context.CAMERA_SERVICE)).addCamera("0", c);
  }

  private static StreamConfigurationMap streams(Size... sizes) {
    List<StreamConfiguration> configs = new ArrayList<>();
    for (Size s : sizes) {
      configs.add(new StreamConfiguration(YUV, s.getWidth(), s.getHeight(), false));
      configs.add(new StreamConfiguration(PRIVATE, s.getWidth(), s.getHeight(), false));
    }
    StreamConfigurationDuration[] none = new StreamConfigurationDuration[0];
    return new StreamConfigurationMap(configs.toArray(new StreamConfiguration[0]), none, none,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, false, false);
  }

  private void setDisplayRotation(int rotation) {
    Display display = ((DisplayManager) context.getSystemService(Context.DISPLAY_SERVICE)).getDisplay(Display.DEFAULT_DISPLAY);
    shadowOf(display).setRotation(rotation);
  }

  /** Posts one buffer to the reader, as the camera would: its image's planes come from {@link ShadowYuvImage}. */
  private static void feedFrame(ImageReader reader) {
    Surface surface = reader.getSurface();
    Canvas canvas = surface.lockCanvas(null);
    surface.unlockCanvasAndPost(canvas);
  }

  /** Where the frame's bright block ended up (the sensor image has it top-left). */
  private static String brightCorner(Frame frame) {
    assertNotNull("a frame arrived", frame);
    int w = frame.width();
    int h = frame.height();
    String vertical = (frame.argb()[0] & 0xFF) > 128 || (frame.argb()[w - 1] & 0xFF) > 128 ? "top" : "bottom";
    int row = vertical.equals("top") ? 0 : h - 1;
    String horizontal = (frame.argb()[row * w] & 0xFF) > 128 ? "left" : "right";
    return vertical + "-" + horizontal;
  }

  private static CameraDevice lastDevice() {
    return ReflectionHelpers.getStaticField(ShadowCameraManager.class, "lastDevice");
  }

  private static boolean isClosed(CameraDevice device) {
    return ReflectionHelpers.<Boolean>getField(Shadow.extract(device), "closed");
  }

  private static Size size(ImageReader reader) {
    return new Size(reader.getWidth(), reader.getHeight());
  }

  private static void drain(Handler handler) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    handler.post(done::countDown);
    assertTrue(done.await(10, TimeUnit.SECONDS));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue("timed out: " + what, System.nanoTime() < deadline);
      Thread.sleep(2);
    }
  }

  /** Records frames; can hold the camera thread inside wantsFrame() to force a race. */
  private static final class RecordingListener implements CameraSource.Listener {
    final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    final CountDownLatch insideWantsFrame = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean block;

    void blockNextWantsFrame() {
      block = true;
    }

    @Override
    public boolean wantsFrame() {
      if (block) {
        block = false;
        insideWantsFrame.countDown();
        await(release);
      }
      return true;
    }

    @Override
    public void onFrame(Frame frame) {
      frames.add(frame);
    }

    @Override
    public void onCameraError(String message) {}
  }

  /**
   * Gives Robolectric's camera images YUV planes (it has none): a grey image with a bright block
   * in the top-left quarter. Like a real image, the planes refuse access once the image or its
   * reader is closed ("Image is already closed").
   */
  @Implements(className = "android.media.ImageReader$SurfaceImage", isInAndroidSdk = false)
  public static class ShadowYuvImage extends ShadowImageReader.ShadowSurfaceImage {
    @RealObject Object image;

    @Implementation
    protected Image.Plane[] getPlanes() throws ClassNotFoundException {
      ReflectionHelpers.callInstanceMethod(Image.class, image, "throwISEIfImageIsInvalid");
      ImageReader reader = ReflectionHelpers.getField(image, "this$0");
      // ImageReader.close() invalidates the images it handed out; Robolectric's reader does not
      java.util.concurrent.atomic.AtomicBoolean readerValid = ReflectionHelpers.getField(Shadow.extract(reader), "readerValid");
      if (!readerValid.get()) {
        throw new IllegalStateException("Image is already closed");
      }
      int w = reader.getWidth();
      int h = reader.getHeight();
      ByteBuffer y = ByteBuffer.allocateDirect(w * h);
      for (int row = 0; row < h; row++) {
        for (int col = 0; col < w; col++) {
          y.put(row * w + col, (byte) (row < h / 4 && col < w / 4 ? 250 : 20));
        }
      }
      ByteBuffer u = ByteBuffer.allocateDirect(w * h / 4);
      ByteBuffer v = ByteBuffer.allocateDirect(w * h / 4);
      for (int i = 0; i < w * h / 4; i++) {
        u.put(i, (byte) 128);
        v.put(i, (byte) 128);
      }
      Class<?> planeClass = Class.forName("android.media.ImageReader$SurfaceImage$SurfacePlane");
      Class<?> imageClass = Class.forName("android.media.ImageReader$SurfaceImage");
      Image.Plane[] planes = new Image.Plane[3];
      ByteBuffer[] buffers = {y, u, v};
      for (int p = 0; p < 3; p++) {
        planes[p] = (Image.Plane) ReflectionHelpers.callConstructor(planeClass,
            ClassParameter.from(imageClass, image),
            ClassParameter.from(int.class, p == 0 ? w : w / 2),
            ClassParameter.from(int.class, 1),
            ClassParameter.from(ByteBuffer.class, buffers[p]));
      }
      return planes;
    }
  }
}
