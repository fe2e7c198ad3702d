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
import android.hardware.camera2.CaptureRequest;
import android.hardware.camera2.params.StreamConfigurationMap;
import android.media.Image;
import android.media.ImageReader;
import android.os.Handler;
import android.os.HandlerThread;
import android.os.Looper;
import android.util.Size;
import android.view.Surface;
import android.view.TextureView;
import java.util.Arrays;

/**
 * The back camera through Camera2: a preview on a {@link TextureView} and a YUV_420_888 {@link
 * ImageReader} at a small analysis resolution. The latest frame wins: frames arriving while the
 * classifier is busy are closed unread, never queued, so the overlay is never behind the preview.
 *
 * <p>Thread rules: create, {@link #start} and {@link #close} on the main thread. Camera callbacks
 * and frame conversion run on this source's own background thread; {@link Listener#onFrame} is
 * called there, {@link Listener#onCameraError} on the main thread.
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

  /** Analysis frames are at least this big on their short side, so the crop has pixels to average. */
  private static final int MIN_ANALYSIS_SHORT_SIDE = 240;
  /** Preview streams larger than this cost memory bandwidth and show nothing more on a phone. */
  private static final int MAX_PREVIEW_PIXELS = 1920 * 1080;

  private final CameraManager cameraManager;
  private final TextureView textureView;
  private final int displayRotationDegrees;
  private final int modelSide;
  private final Listener listener;
  private final Handler mainHandler = new Handler(Looper.getMainLooper());

  private HandlerThread thread;
  private Handler handler;
  private CameraDevice device;
  private CameraCaptureSession session;
  private ImageReader reader;
  private boolean started;

  /**
   * @param displayRotationDegrees the display's rotation (0, 90, 180, 270), fixed for this
   *     source's lifetime because the activity is recreated when it changes
   * @param modelSide the model input's larger side: frames are shrunk to about twice that
   */
  public CameraSource(Context context, TextureView textureView, int displayRotationDegrees, int modelSide,
      Listener listener) {
    this.cameraManager = (CameraManager) context.getSystemService(Context.CAMERA_SERVICE);
    this.textureView = textureView;
    this.displayRotationDegrees = displayRotationDegrees;
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

  /** Opens the camera once the preview surface exists. Calling it again after an error retries. */
  public void start() {
    close();
    started = true;
    thread = new HandlerThread("camera");
    thread.start();
    handler = new Handler(thread.getLooper());
    if (textureView.isAvailable()) {
      open();
    } else {
      textureView.setSurfaceTextureListener(new TextureView.SurfaceTextureListener() {
        @Override
        public void onSurfaceTextureAvailable(SurfaceTexture surface, int width, int height) {
          if (started) {
            open();
          }
        }

        @Override
        public void onSurfaceTextureSizeChanged(SurfaceTexture surface, int width, int height) {}

        @Override
        public boolean onSurfaceTextureDestroyed(SurfaceTexture surface) {
          return true;
        }

        @Override
        public void onSurfaceTextureUpdated(SurfaceTexture surface) {}
      });
    }
  }

  private void open() {
    String id = findCamera(textureView.getContext());
    if (id == null) {
      fail("This device has no camera.");
      return;
    }
    try {
      CameraCharacteristics characteristics = cameraManager.getCameraCharacteristics(id);
      StreamConfigurationMap map = characteristics.get(CameraCharacteristics.SCALER_STREAM_CONFIGURATION_MAP);
      Integer sensor = characteristics.get(CameraCharacteristics.SENSOR_ORIENTATION);
      int rotation = ((sensor == null ? 90 : sensor) - displayRotationDegrees + 360) % 360;
      Size analysis = smallestAtLeast(map.getOutputSizes(ImageFormat.YUV_420_888), MIN_ANALYSIS_SHORT_SIDE);
      Size preview = largestAtMost(map.getOutputSizes(SurfaceTexture.class), MAX_PREVIEW_PIXELS, analysis);
      reader = ImageReader.newInstance(analysis.getWidth(), analysis.getHeight(), ImageFormat.YUV_420_888, 2);
      int factor = YuvConverter.factorFor(analysis.getWidth(), analysis.getHeight(), modelSide);
      reader.setOnImageAvailableListener(r -> deliver(r, rotation, factor), handler);
      configureTransform(preview);
      cameraManager.openCamera(id, new CameraDevice.StateCallback() {
        @Override
        public void onOpened(CameraDevice camera) {
          device = camera;
          createSession(preview);
        }

        @Override
        public void onDisconnected(CameraDevice camera) {
          camera.close();
          fail("The camera was disconnected (another app may be using it).");
        }

        @Override
        public void onError(CameraDevice camera, int error) {
          camera.close();
          fail("The camera reported an error (" + describe(error) + ").");
        }
      }, handler);
    } catch (CameraAccessException | SecurityException | IllegalArgumentException | IllegalStateException
        | NullPointerException e) {
      fail("Cannot open the camera: " + e.getMessage());
    }
  }

  private void createSession(Size previewSize) {
    try {
      SurfaceTexture texture = textureView.getSurfaceTexture();
      if (texture == null) {
        fail("The preview surface went away before the camera opened.");
        return;
      }
      texture.setDefaultBufferSize(previewSize.getWidth(), previewSize.getHeight());
      Surface preview = new Surface(texture);
      CaptureRequest.Builder request = device.createCaptureRequest(CameraDevice.TEMPLATE_PREVIEW);
      request.addTarget(preview);
      request.addTarget(reader.getSurface());
      request.set(CaptureRequest.CONTROL_AF_MODE, CaptureRequest.CONTROL_AF_MODE_CONTINUOUS_PICTURE);
      device.createCaptureSession(Arrays.asList(preview, reader.getSurface()), new CameraCaptureSession.StateCallback() {
        @Override
        public void onConfigured(CameraCaptureSession s) {
          session = s;
          try {
            s.setRepeatingRequest(request.build(), null, handler);
          } catch (CameraAccessException | IllegalStateException e) {
            fail("Cannot start the camera preview: " + e.getMessage());
          }
        }

        @Override
        public void onConfigureFailed(CameraCaptureSession s) {
          fail("The camera refused the preview and analysis streams.");
        }
      }, handler);
    } catch (CameraAccessException | IllegalStateException | IllegalArgumentException e) {
      fail("Cannot configure the camera: " + e.getMessage());
    }
  }

  /** Camera thread: converts the newest image if the classifier wants one, drops it otherwise. */
  private void deliver(ImageReader r, int rotation, int factor) {
    Image image;
    try {
      image = r.acquireLatestImage();
    } catch (IllegalStateException e) {
      return; // reader closed under us while stopping
    }
    if (image == null) {
      return;
    }
    try {
      if (listener.wantsFrame()) {
        listener.onFrame(YuvConverter.toFrame(YuvPlanes.of(image), rotation, factor));
      }
    } finally {
      image.close();
    }
  }

  /** Scales the preview to fill the view without distortion (centre crop), whatever the rotation. */
  private void configureTransform(Size preview) {
    mainHandler.post(() -> {
      float viewW = textureView.getWidth();
      float viewH = textureView.getHeight();
      if (viewW == 0 || viewH == 0) {
        return;
      }
      Matrix matrix = new Matrix();
      float cx = viewW / 2;
      float cy = viewH / 2;
      if (displayRotationDegrees == 90 || displayRotationDegrees == 270) {
        // The buffer arrives in sensor orientation: map it into the view, then rotate it upright.
        RectF viewRect = new RectF(0, 0, viewW, viewH);
        RectF bufferRect = new RectF(0, 0, preview.getHeight(), preview.getWidth());
        bufferRect.offset(cx - bufferRect.centerX(), cy - bufferRect.centerY());
        matrix.setRectToRect(viewRect, bufferRect, Matrix.ScaleToFit.FILL);
        float scale = Math.max(viewH / preview.getHeight(), viewW / preview.getWidth());
        matrix.postScale(scale, scale, cx, cy);
        matrix.postRotate(displayRotationDegrees - 180, cx, cy);
      } else {
        // The texture already shows the buffer upright but stretched to the view: undo the stretch.
        float contentW = preview.getHeight();
        float contentH = preview.getWidth();
        float scale = Math.max(viewW / contentW, viewH / contentH);
        matrix.setScale(contentW * scale / viewW, contentH * scale / viewH, cx, cy);
        if (displayRotationDegrees == 180) {
          matrix.postRotate(180, cx, cy);
        }
      }
      textureView.setTransform(matrix);
    });
  }

  private void fail(String message) {
    mainHandler.post(() -> {
      if (started) {
        close();
        listener.onCameraError(message);
      }
    });
  }

  /** Releases session, device, reader and thread. Idempotent; safe after errors. */
  @Override
  public void close() {
    started = false;
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
      reader = null;
    }
    if (thread != null) {
      thread.quitSafely();
      thread = null;
      handler = null;
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
