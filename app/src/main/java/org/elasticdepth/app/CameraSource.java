package org.elasticdepth.app;

import android.content.Context;
import android.graphics.ImageFormat;
import android.graphics.Matrix;
import android.graphics.RectF;
import android.graphics.SurfaceTexture;
import android.hardware.camera2.CameraAccessException;
import android.hardware.camera2.CameraCaptureSession;
import android.hardware.camera2.CameraCharacteristics;
import android.hardware.camera2.CameraDevice;
import android.hardware.camera2.CameraManager;
import android.hardware.camera2.CameraMetadata;
import android.hardware.camera2.CaptureRequest;
import android.hardware.camera2.params.StreamConfigurationMap;
import android.hardware.display.DisplayManager;
import android.media.Image;
import android.media.ImageReader;
import android.os.Handler;
import android.os.HandlerThread;
import android.os.Looper;
import android.util.Size;
import android.view.Display;
import android.view.Surface;
import android.view.TextureView;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The back camera (else any camera) through Camera2: a preview on a {@link TextureView} and a
 * YUV_420_888 {@link ImageReader} just big enough for the model. The latest frame wins: frames
 * arriving while the classifier is busy are closed unread, never queued, so the overlay is never
 * behind the preview.
 *
 * <p><b>Threads.</b> Create, {@link #start} and {@link #close} on the main thread. Every camera
 * state change (open, session, frames, close) happens on this source's camera thread, so the
 * reader is never closed while a frame from it is being read there; {@link Listener#onFrame} is
 * called on that thread, {@link Listener#onCameraError} on the main thread. A device that opens
 * after {@link #close} is closed at once, and the camera thread lives until it has been.
 *
 * <p><b>Rotation.</b> The display rotation is tracked while the camera runs (a turn from 90 to
 * 270 degrees recreates no activity): the preview transform and the rotation applied to frames
 * follow it. Front cameras are rotated by {@code (sensor + display) % 360} and mirrored, so the
 * analysed frame matches the mirrored preview.
 */
public final class CameraSource implements AutoCloseable {
  /** Receives converted frames and camera failures. */
  public interface Listener {
    /** Whether a frame would be used now; when false the camera image is dropped unconverted. */
    boolean wantsFrame();

    /** A new upright frame (camera thread). */
    void onFrame(Frame frame);

    /** The camera could not be opened or stopped working; {@link #start} again to retry (main thread). */
    void onCameraError(String message);
  }

  /**
   * The longest {@link #close} blocks the main thread waiting for the camera thread to finish
   * closing. Waiting at all means the device is really released before a recreated activity opens
   * it again (else ERROR_CAMERA_IN_USE on some phones); bounding it keeps a slow camera HAL (a
   * close can take hundreds of ms) from freezing the UI or causing an ANR. When the bound is hit
   * the camera thread still finishes the close on its own, and no frame reaches the listener.
   */
  static final long CLOSE_WAIT_MILLIS = 500;
  /** Preview streams larger than this cost memory bandwidth and show nothing more on a phone. */
  private static final int MAX_PREVIEW_PIXELS = 1920 * 1080;

  private final Context context;
  private final CameraManager cameraManager;
  private final TextureView textureView;
  private final int modelSide;
  private final Listener listener;
  private final Handler mainHandler = new Handler(Looper.getMainLooper());

  // Main thread only.
  private Run run;
  private DisplayManager.DisplayListener displayListener;

  /**
   * @param modelSide the model input's larger side: the analysis stream is the smallest the
   *     camera offers with at least twice that on its short side, and frames are shrunk to about
   *     twice that
   */
  public CameraSource(Context context, TextureView textureView, int modelSide, Listener listener) {
    this.context = context;
    this.cameraManager = (CameraManager) context.getSystemService(Context.CAMERA_SERVICE);
    this.textureView = textureView;
    this.modelSide = modelSide;
    this.listener = listener;
  }

  /** The id of the back camera, else of any camera, or {@code null} when the device has none. */
  public static String findCamera(Context context) {
    CameraManager manager = (CameraManager) context.getSystemService(Context.CAMERA_SERVICE);
    if (manager == null) {
      return null;
    }
    try {
      String[] ids = manager.getCameraIdList();
      for (String id : ids) {
        Integer facing = manager.getCameraCharacteristics(id).get(CameraCharacteristics.LENS_FACING);
        if (facing != null && facing == CameraCharacteristics.LENS_FACING_BACK) {
          return id;
        }
      }
      return ids.length > 0 ? ids[0] : null;
    } catch (CameraAccessException | RuntimeException e) {
      return null; // a camera service that cannot even list cameras counts as no camera
    }
  }

  /**
   * Clockwise rotation that makes a camera image upright on a display rotated by {@code
   * displayDegrees}: back cameras {@code sensor - display}, front cameras {@code sensor +
   * display} (their image is mirrored, so the display turn counts the other way).
   */
  static int frameRotation(int sensorDegrees, boolean front, int displayDegrees) {
    return front ? (sensorDegrees + displayDegrees) % 360 : (sensorDegrees - displayDegrees + 360) % 360;
  }

  /** Continuous autofocus when the camera has it (fixed-focus front cameras do not): else the template's default. */
  static Integer autofocusMode(int[] available) {
    if (available == null) {
      return null;
    }
    Integer video = null;
    for (int mode : available) {
      if (mode == CameraMetadata.CONTROL_AF_MODE_CONTINUOUS_PICTURE) {
        return mode;
      }
      if (mode == CameraMetadata.CONTROL_AF_MODE_CONTINUOUS_VIDEO) {
        video = mode;
      }
    }
    return video;
  }

  /** Opens the camera once the preview surface exists. Calling it again after an error retries. */
  public void start() {
    close();
    Run next = new Run();
    run = next;
    watchDisplay();
    if (textureView.isAvailable()) {
      next.post(() -> next.open(textureView.getSurfaceTexture()));
    } else {
      textureView.setSurfaceTextureListener(new TextureView.SurfaceTextureListener() {
        @Override
        public void onSurfaceTextureAvailable(SurfaceTexture surface, int width, int height) {
          Run current = run;
          if (current != null) {
            current.post(() -> current.open(surface));
          }
        }

        @Override
        public void onSurfaceTextureSizeChanged(SurfaceTexture surface, int width, int height) {
          Run current = run;
          if (current != null && current.previewSize != null) {
            configureTransform(current.previewSize);
          }
        }

        @Override
        public boolean onSurfaceTextureDestroyed(SurfaceTexture surface) {
          return true;
        }

        @Override
        public void onSurfaceTextureUpdated(SurfaceTexture surface) {}
      });
    }
  }

  /**
   * Stops the camera: session, device and reader are closed on the camera thread, after any frame
   * it is reading; waits for that at most {@link #CLOSE_WAIT_MILLIS}. Idempotent; safe after errors.
   */
  @Override
  public void close() {
    unwatchDisplay();
    Run current = run;
    run = null;
    if (current != null) {
      current.stop(CLOSE_WAIT_MILLIS);
    }
  }

  /** The camera thread's handler while the camera runs (tests post to it to force an order). */
  Handler cameraHandler() {
    Run current = run;
    return current == null ? null : current.handler;
  }

  /** The analysis reader while the camera runs, else null (tests feed it images). */
  ImageReader analysisReader() {
    Run current = run;
    return current == null ? null : current.reader;
  }

  // ---------------------------------------------------------------- display rotation (main thread)

  private void watchDisplay() {
    DisplayManager displays = (DisplayManager) context.getSystemService(Context.DISPLAY_SERVICE);
    if (displays == null) {
      return;
    }
    displayListener = new DisplayManager.DisplayListener() {
      @Override
      public void onDisplayAdded(int displayId) {}

      @Override
      public void onDisplayRemoved(int displayId) {}

      @Override
      public void onDisplayChanged(int displayId) {
        Run current = run;
        if (displayId == Display.DEFAULT_DISPLAY && current != null) {
          current.setDisplayRotation(displayRotationDegrees());
          if (current.previewSize != null) {
            configureTransform(current.previewSize);
          }
        }
      }
    };
    displays.registerDisplayListener(displayListener, mainHandler);
  }

  private void unwatchDisplay() {
    if (displayListener != null) {
      ((DisplayManager) context.getSystemService(Context.DISPLAY_SERVICE)).unregisterDisplayListener(displayListener);
      displayListener = null;
    }
  }

  private int displayRotationDegrees() {
    DisplayManager displays = (DisplayManager) context.getSystemService(Context.DISPLAY_SERVICE);
    Display display = displays == null ? null : displays.getDisplay(Display.DEFAULT_DISPLAY);
    int rotation = display == null ? Surface.ROTATION_0 : display.getRotation();
    return switch (rotation) {
      case Surface.ROTATION_90 -> 90;
      case Surface.ROTATION_180 -> 180;
      case Surface.ROTATION_270 -> 270;
      default -> 0;
    };
  }

  /** Scales the preview to fill the view without distortion (centre crop), for the current rotation. */
  private void configureTransform(Size preview) {
    mainHandler.post(() -> {
      float viewW = textureView.getWidth();
      float viewH = textureView.getHeight();
      if (viewW == 0 || viewH == 0) {
        return;
      }
      int displayDegrees = displayRotationDegrees();
      Matrix matrix = new Matrix();
      float cx = viewW / 2;
      float cy = viewH / 2;
      if (displayDegrees == 90 || displayDegrees == 270) {
        // The buffer arrives in sensor orientation: map it into the view, then rotate it upright.
        RectF viewRect = new RectF(0, 0, viewW, viewH);
        RectF bufferRect = new RectF(0, 0, preview.getHeight(), preview.getWidth());
        bufferRect.offset(cx - bufferRect.centerX(), cy - bufferRect.centerY());
        matrix.setRectToRect(viewRect, bufferRect, Matrix.ScaleToFit.FILL);
        float scale = Math.max(viewH / preview.getHeight(), viewW / preview.getWidth());
        matrix.postScale(scale, scale, cx, cy);
        matrix.postRotate(displayDegrees - 180, cx, cy);
      } else {
        // The texture already shows the buffer upright but stretched to the view: undo the stretch.
        float contentW = preview.getHeight();
        float contentH = preview.getWidth();
        float scale = Math.max(viewW / contentW, viewH / contentH);
        matrix.setScale(contentW * scale / viewW, contentH * scale / viewH, cx, cy);
        if (displayDegrees == 180) {
          matrix.postRotate(180, cx, cy);
        }
      }
      textureView.setTransform(matrix);
    });
  }

  /**
   * One opening of the camera, from {@link #start} to {@link #close}, with its own thread. All its
   * camera state lives on that thread; a late callback of an old run can only touch its own run.
   */
  private final class Run {
    final HandlerThread thread = new HandlerThread("camera");
    final Handler handler;
    /** Counted down on the camera thread once session, device and reader are closed. */
    final CountDownLatch closedLatch = new CountDownLatch(1);
    /** Set on the main thread by {@link #stop}: from then on no frame reaches the listener. */
    volatile boolean stopping;
    /** The display rotation in degrees; written on the main thread, read per frame. */
    volatile int displayDegrees = displayRotationDegrees();
    /** The preview stream size once chosen (read on the main thread for transforms). */
    volatile Size previewSize;
    /** Exposed for tests through {@link #analysisReader}; owned by the camera thread. */
    volatile ImageReader reader;

    // Camera thread only.
    private boolean stopped;
    private boolean openPending;
    private CameraDevice device;
    private CameraCaptureSession session;
    private int sensorDegrees;
    private boolean front;

    Run() {
      thread.start();
      handler = new Handler(thread.getLooper());
    }

    void post(Runnable task) {
      handler.post(task);
    }

    void setDisplayRotation(int degrees) {
      displayDegrees = degrees;
    }

    /** Main thread: asks the camera thread to close everything, waits a bounded time. */
    void stop(long waitMillis) {
      stopping = true;
      handler.post(this::closeOnCameraThread);
      try {
        closedLatch.await(waitMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    // ---------------------------------------------------------------- camera thread

    void open(SurfaceTexture texture) {
      if (stopped) {
        return;
      }
      String id = findCamera(context);
      if (id == null) {
        fail("This device has no camera.");
        return;
      }
      try {
        CameraCharacteristics characteristics = cameraManager.getCameraCharacteristics(id);
        StreamConfigurationMap map = characteristics.get(CameraCharacteristics.SCALER_STREAM_CONFIGURATION_MAP);
        if (map == null) {
          fail("The camera does not say which picture sizes it offers.");
          return;
        }
        Integer sensor = characteristics.get(CameraCharacteristics.SENSOR_ORIENTATION);
        Integer facing = characteristics.get(CameraCharacteristics.LENS_FACING);
        sensorDegrees = sensor == null ? 90 : sensor;
        front = facing != null && facing == CameraCharacteristics.LENS_FACING_FRONT;
        Integer focus = autofocusMode(characteristics.get(CameraCharacteristics.CONTROL_AF_AVAILABLE_MODES));
        Size analysis = smallestAtLeast(map.getOutputSizes(ImageFormat.YUV_420_888), 2 * modelSide);
        Size preview = largestAtMost(map.getOutputSizes(SurfaceTexture.class), MAX_PREVIEW_PIXELS, analysis);
        previewSize = preview;
        int factor = YuvConverter.factorFor(analysis.getWidth(), analysis.getHeight(), modelSide);
        ImageReader r = ImageReader.newInstance(analysis.getWidth(), analysis.getHeight(), ImageFormat.YUV_420_888, 2);
        r.setOnImageAvailableListener(ready -> deliver(ready, factor), handler);
        reader = r;
        configureTransform(preview);
        openPending = true;
        cameraManager.openCamera(id, new CameraDevice.StateCallback() {
          @Override
          public void onOpened(CameraDevice camera) {
            openPending = false;
            if (stopped) {
              camera.close(); // opened after close(): nobody else would ever close it
              quit();
              return;
            }
            device = camera;
            createSession(camera, texture, preview, focus);
          }

          @Override
          public void onDisconnected(CameraDevice camera) {
            lost(camera, "The camera was disconnected (another app may be using it).");
          }

          @Override
          public void onError(CameraDevice camera, int error) {
            lost(camera, "The camera reported an error (" + describe(error) + ").");
          }
        }, handler);
      } catch (CameraAccessException | SecurityException | IllegalArgumentException | IllegalStateException e) {
        openPending = false;
        fail("Cannot open the camera: " + e.getMessage());
      }
    }

    private void lost(CameraDevice camera, String message) {
      openPending = false;
      camera.close();
      if (device == camera) {
        device = null;
      }
      if (stopped) {
        quit();
      } else {
        fail(message);
      }
    }

    private void createSession(CameraDevice camera, SurfaceTexture texture, Size previewSize, Integer focus) {
      try {
        texture.setDefaultBufferSize(previewSize.getWidth(), previewSize.getHeight());
        Surface preview = new Surface(texture);
        Surface analysis = reader.getSurface();
        CaptureRequest.Builder request = camera.createCaptureRequest(CameraDevice.TEMPLATE_PREVIEW);
        request.addTarget(preview);
        request.addTarget(analysis);
        if (focus != null) {
          request.set(CaptureRequest.CONTROL_AF_MODE, focus);
        }
        camera.createCaptureSession(Arrays.asList(preview, analysis), new CameraCaptureSession.StateCallback() {
          @Override
          public void onConfigured(CameraCaptureSession s) {
            if (stopped) {
              s.close(); // the device is closed too; this only releases the session object
              return;
            }
            session = s;
            try {
              s.setRepeatingRequest(request.build(), null, handler);
            } catch (CameraAccessException | IllegalStateException e) {
              fail("Cannot start the camera preview: " + e.getMessage());
            }
          }

          @Override
          public void onConfigureFailed(CameraCaptureSession s) {
            if (!stopped) {
              fail("The camera refused the preview and analysis streams.");
            }
          }
        }, handler);
      } catch (CameraAccessException | IllegalStateException | IllegalArgumentException e) {
        fail("Cannot configure the camera: " + e.getMessage());
      }
    }

    /** Converts the newest image if the classifier wants one, drops it otherwise. */
    private void deliver(ImageReader r, int factor) {
      if (stopped || r != reader) {
        return;
      }
      Image image;
      try {
        image = r.acquireLatestImage();
      } catch (IllegalStateException e) {
        return; // all buffers held: the next callback gets one
      }
      if (image == null) {
        return;
      }
      try {
        if (!stopping && listener.wantsFrame()) {
          int rotation = frameRotation(sensorDegrees, front, displayDegrees);
          Frame frame = YuvConverter.toFrame(YuvPlanes.of(image), rotation, factor, front);
          if (!stopping) {
            listener.onFrame(frame);
          }
        }
      } finally {
        image.close();
      }
    }

    /** Closes session, device and reader; runs after any frame being read (same thread). */
    private void closeOnCameraThread() {
      stopped = true;
      try {
        if (session != null) {
          session.close();
          session = null;
        }
        if (device != null) {
          device.close();
          device = null;
        }
        if (reader != null) {
          reader.close();
        }
      } finally {
        closedLatch.countDown();
        if (!openPending) {
          quit();
        } // else the open callback still comes, closes the late device and quits
      }
    }

    private void quit() {
      thread.quitSafely();
    }

    /** Reports a failure on the main thread, once, and only if this run is still the current one. */
    private void fail(String message) {
      mainHandler.post(() -> {
        if (run == this && !stopping) {
          close();
          listener.onCameraError(message);
        }
      });
    }
  }

  // Plain loops: java.util.stream beyond API 24 (toList, Optional.or) is missing on older phones.

  /** The smallest size whose short side is at least {@code minShortSide}, else the largest. */
  static Size smallestAtLeast(Size[] sizes, int minShortSide) {
    Size best = null;
    Size largest = null;
    for (Size s : sizes) {
      if (Math.min(s.getWidth(), s.getHeight()) >= minShortSide && (best == null || area(s) < area(best))) {
        best = s;
      }
      if (largest == null || area(s) > area(largest)) {
        largest = s;
      }
    }
    if (largest == null) {
      throw new IllegalStateException("the camera offers no YUV_420_888 sizes");
    }
    return best != null ? best : largest;
  }

  /** The largest size within {@code maxPixels}, preferring {@code aspectOf}'s aspect ratio. */
  static Size largestAtMost(Size[] sizes, int maxPixels, Size aspectOf) {
    Size sameAspect = null;
    Size any = null;
    Size smallest = null;
    for (Size s : sizes) {
      if (smallest == null || area(s) < area(smallest)) {
        smallest = s;
      }
      if (area(s) > maxPixels) {
        continue;
      }
      if (any == null || area(s) > area(any)) {
        any = s;
      }
      boolean aspect = (long) s.getWidth() * aspectOf.getHeight() == (long) s.getHeight() * aspectOf.getWidth();
      if (aspect && (sameAspect == null || area(s) > area(sameAspect))) {
        sameAspect = s;
      }
    }
    return sameAspect != null ? sameAspect : any != null ? any : smallest;
  }

  private static long area(Size s) {
    return (long) s.getWidth() * s.getHeight();
  }

  private static String describe(int error) {
    return switch (error) {
      case CameraDevice.StateCallback.ERROR_CAMERA_IN_USE -> "in use by another app";
      case CameraDevice.StateCallback.ERROR_MAX_CAMERAS_IN_USE -> "too many cameras open";
      case CameraDevice.StateCallback.ERROR_CAMERA_DISABLED -> "disabled by policy";
      case CameraDevice.StateCallback.ERROR_CAMERA_DEVICE -> "device error";
      case CameraDevice.StateCallback.ERROR_CAMERA_SERVICE -> "camera service error";
      default -> "code " + error;
    };
  }
}
