package org.elasticdepth.app;

import android.Manifest;
import android.content.Intent;
import android.content.pm.PackageManager;
import android.graphics.Bitmap;
import android.graphics.drawable.BitmapDrawable;
import android.net.Uri;
import android.os.Bundle;
import android.provider.Settings;
import android.util.Log;
import android.view.TextureView;
import android.view.View;
import android.widget.Button;
import android.widget.ImageView;
import android.widget.TextView;
import android.widget.Toast;
import androidx.activity.ComponentActivity;
import androidx.activity.result.ActivityResultLauncher;
import androidx.activity.result.contract.ActivityResultContracts;
import java.io.IOException;
import org.elasticdepth.app.DemoSettings.Source;
import org.elasticdepth.runtime.DepthPlan;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleManifest;

/**
 * The demo's one screen: the camera preview (or a sample image) with the live classification
 * overlaid, and the settings below or beside it.
 *
 * <p>Lifecycle: the classifier session and the camera are opened in {@link #onStart} and released
 * in {@link #onStop}, so nothing outlives a rotation (the activity is recreated; settings come
 * back from SharedPreferences, the sample position from the saved state). The camera opens once
 * the bundle is known, so its analysis stream is sized for the model's input.
 *
 * <p>Main thread rule: the classifier is created and closed on the session's worker, the camera
 * on its own thread, and opened bundles are copied on the application's I/O thread; nothing here
 * waits for them (only {@link CameraSource#close} waits, bounded).
 */
public class MainActivity extends ComponentActivity
    implements ClassifierSession.Listener, CameraSource.Listener, ControlsPanel.Listener {
  static final int CAMERA_PERMISSION_REQUEST = 1;
  static final String TAG = "EDDemo";
  /** What the document picker offers: zips, and files whose provider does not know they are zips. */
  static final String[] BUNDLE_MIME_TYPES = {"application/zip", "application/x-zip-compressed", "application/octet-stream"};
  private static final String STATE_SAMPLE_INDEX = "sample_index";
  private static final String STATE_ASKED = "asked_for_camera";

  private SettingsStore store;
  private BundleStore bundles;
  private TextView bundleName;
  private final ActivityResultLauncher<String[]> openDocument =
      registerForActivityResult(new ActivityResultContracts.OpenDocument(), this::onDocumentPicked);
  private ControlsPanel controls;
  private ResultPanel results;
  private TextureView preview;
  private ImageView sampleView;
  private Button nextSample;
  private SampleImages samples;
  private String samplesProblem;

  /** The bundle's manifest once the session reported it ready, else null. */
  private BundleManifest manifest;
  /** Read by the camera thread (wantsFrame, onFrame), set on the main thread. */
  private volatile ClassifierSession session;
  private CameraSource camera;
  /** The camera was chosen and allowed but waits for the bundle's input size. */
  private boolean cameraWaitsForBundle;
  private BundleChoice bundleInUse = BundleChoice.BUILT_IN;
  private SampleSlideshow slideshow;
  private int sampleIndex;
  /** Asked for the camera once in this activity's life: do not ask again on every start. */
  private boolean askedForCamera;

  @Override
  protected void onCreate(Bundle saved) {
    super.onCreate(saved);
    setContentView(R.layout.activity_main);
    store = new SettingsStore(this);
    bundles = new BundleStore(this);
    bundleName = findViewById(R.id.bundle_name);
    findViewById(R.id.open_bundle).setOnClickListener(v -> openDocument.launch(BUNDLE_MIME_TYPES));
    results = new ResultPanel(this);
    preview = findViewById(R.id.preview);
    sampleView = findViewById(R.id.sample_image);
    nextSample = findViewById(R.id.next_sample);
    nextSample.setOnClickListener(v -> {
      if (slideshow != null) {
        slideshow.next();
      }
    });
    controls = new ControlsPanel(this, store.load(), this);
    if (saved != null) {
      sampleIndex = saved.getInt(STATE_SAMPLE_INDEX);
      askedForCamera = saved.getBoolean(STATE_ASKED);
    }
    try {
      samples = SampleImages.read(getAssets().open(SampleImages.IMAGES_ASSET), getAssets().open(SampleImages.LABELS_ASSET));
    } catch (IOException e) {
      samplesProblem = e.getMessage();
    }
  }

  @Override
  protected void onStart() {
    super.onStart();
    bundleInUse = bundles.remembered();
    session = new ClassifierSession(this, ((DemoApplication) getApplication()).runtimeFactory(), bundleInUse, this);
    session.apply(controls.settings());
    startSource();
  }

  @Override
  protected void onStop() {
    stopSource();
    session.close();
    session = null;
    super.onStop();
  }

  @Override
  protected void onSaveInstanceState(Bundle out) {
    super.onSaveInstanceState(out);
    out.putInt(STATE_SAMPLE_INDEX, slideshow != null ? slideshow.index() : sampleIndex);
    out.putBoolean(STATE_ASKED, askedForCamera);
  }

  @Override
  public void onTrimMemory(int level) {
    super.onTrimMemory(level);
    if (session != null) {
      session.trimMemory(level);
    }
  }

  // ---------------------------------------------------------------- picture source

  /** Camera if chosen, present and allowed; otherwise explains, asks, or shows samples. */
  private void startSource() {
    stopSource();
    hideMessage();
    results.clear();
    if (controls.settings().source() == Source.SAMPLES) {
      startSamples();
      return;
    }
    if (CameraSource.findCamera(this) == null) {
      Toast.makeText(this, R.string.no_camera, Toast.LENGTH_LONG).show();
      switchToSamples();
      return;
    }
    if (checkSelfPermission(Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED) {
      startCamera();
    } else if (shouldShowRequestPermissionRationale(Manifest.permission.CAMERA)) {
      showMessage(getString(R.string.permission_rationale_title), getString(R.string.permission_rationale),
          R.string.permission_continue, this::requestCamera, R.string.use_samples, this::switchToSamples);
    } else if (!askedForCamera) {
      requestCamera();
    } else {
      showPermissionDenied();
    }
  }

  private void requestCamera() {
    hideMessage();
    askedForCamera = true;
    requestPermissions(new String[] {Manifest.permission.CAMERA}, CAMERA_PERMISSION_REQUEST);
  }

  @Override
  @SuppressWarnings("deprecation") // the framework callback: no Activity Result API needed for one permission
  public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {
    super.onRequestPermissionsResult(requestCode, permissions, grantResults);
    if (requestCode != CAMERA_PERMISSION_REQUEST || session == null) {
      return;
    }
    if (grantResults.length > 0 && grantResults[0] == PackageManager.PERMISSION_GRANTED) {
      startSource();
    } else {
      showPermissionDenied();
    }
  }

  private void showPermissionDenied() {
    showMessage(getString(R.string.permission_denied_title), getString(R.string.permission_denied),
        R.string.open_settings, this::openAppSettings, R.string.use_samples, this::switchToSamples);
  }

  private void openAppSettings() {
    startActivity(new Intent(Settings.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.fromParts("package", getPackageName(), null)));
  }

  private void switchToSamples() {
    controls.showSource(Source.SAMPLES);
    onSettingsChanged(controls.settings());
  }

  private void startCamera() {
    preview.setVisibility(View.VISIBLE);
    sampleView.setVisibility(View.GONE);
    nextSample.setVisibility(View.GONE);
    if (manifest == null) {
      cameraWaitsForBundle = true; // onReady starts it, sized for the model
      return;
    }
    cameraWaitsForBundle = false;
    camera = new CameraSource(this, preview, modelSide(manifest), this);
    camera.start();
  }

  private void startSamples() {
    if (samples == null) {
      showMessage(getString(R.string.samples_error_title), String.valueOf(samplesProblem), 0, null, 0, null);
      return;
    }
    preview.setVisibility(View.GONE);
    sampleView.setVisibility(View.VISIBLE);
    nextSample.setVisibility(View.VISIBLE);
    slideshow = new SampleSlideshow(samples, sampleIndex, this::showSample);
    slideshow.start();
  }

  private void showSample(Frame sample) {
    sampleIndex = sample.sampleIndex();
    Bitmap bitmap = Bitmap.createBitmap(sample.argb(), sample.width(), sample.height(), Bitmap.Config.ARGB_8888);
    BitmapDrawable drawable = new BitmapDrawable(getResources(), bitmap);
    drawable.setFilterBitmap(false); // show the 28x28 pixels as the model sees them, not blurred
    sampleView.setImageDrawable(drawable);
    if (session != null) {
      session.submit(sample);
    }
  }

  private void stopSource() {
    cameraWaitsForBundle = false;
    if (camera != null) {
      camera.close();
      camera = null;
    }
    if (slideshow != null) {
      sampleIndex = slideshow.index();
      slideshow.stop();
      slideshow = null;
    }
  }

  /** The model input's larger side: the camera's analysis stream and frames are sized from it. */
  private static int modelSide(BundleManifest m) {
    return Math.max(m.input().width(), m.input().height());
  }

  // ---------------------------------------------------------------- open bundle

  private void onDocumentPicked(Uri uri) {
    if (uri == null) {
      return; // the user backed out of the picker
    }
    DemoApplication app = (DemoApplication) getApplication();
    android.content.ContentResolver resolver = getContentResolver();
    app.io().execute(() -> {
      String name = BundleStore.displayName(resolver, uri);
      try {
        BundleChoice choice = bundles.importDocument(resolver, uri, name);
        runOnUiThread(() -> {
          if (session != null) {
            session.switchBundle(choice); // verified and loaded there; onBundleSwitched or onBundleRefused follows
          } else {
            app.io().execute(() -> bundles.deleteAllBut(bundles.remembered()));
          }
        });
      } catch (IOException | RuntimeException e) {
        Log.e(TAG, "cannot copy bundle " + name + ": " + e.getMessage());
        runOnUiThread(() -> {
          if (session != null) {
            onBundleRefused(new BundleChoice(null, name), new IOException("cannot read it: " + e.getMessage(), e), bundleInUse);
          }
        });
      }
    });
    Toast.makeText(this, getString(R.string.opening_bundle, uri.getLastPathSegment()), Toast.LENGTH_SHORT).show();
  }

  @Override
  public void onBundleSwitched(BundleChoice choice) {
    bundleInUse = choice;
    bundles.remember(choice);
    ((DemoApplication) getApplication()).io().execute(() -> bundles.deleteAllBut(choice));
  }

  @Override
  public void onBundleRefused(BundleChoice refused, Throwable error, BundleChoice kept) {
    String problem = describeBundleProblem(refused, error);
    Log.e(TAG, "bundle " + refused.name() + " refused (" + problem + "); still using " + kept.name());
    boolean wasRemembered = !bundleInUse.equals(kept);
    bundleInUse = kept;
    if (wasRemembered) {
      bundles.remember(kept); // the remembered bundle no longer opens: do not try it at every start
    }
    ((DemoApplication) getApplication()).io().execute(() -> bundles.deleteAllBut(kept));
    stopSource();
    showMessage(getString(R.string.bundle_refused_title), getString(R.string.bundle_refused, refused.name(), problem, kept.name()),
        R.string.ok, this::startSource, 0, null);
  }

  /** The problem in the user's terms: the private copy's path is replaced by the name they picked. */
  static String describeBundleProblem(BundleChoice refused, Throwable error) {
    String message = String.valueOf(error.getMessage());
    if (refused.zip() != null) {
      message = message.replace(refused.zip().getPath(), refused.name());
    }
    return error instanceof BundleException b ? b.problem() + ": " + message : message;
  }

  // ---------------------------------------------------------------- callbacks

  @Override
  public void onSettingsChanged(DemoSettings settings) {
    DemoSettings before = store.load();
    store.save(settings);
    if (session != null) {
      session.apply(settings);
    }
    if (settings.source() != before.source()) {
      startSource();
    }
  }

  @Override
  public void onReady(BundleManifest manifest, DepthPlan plan) {
    BundleManifest before = this.manifest;
    this.manifest = manifest;
    if (before != manifest) { // first ready, or another bundle
      controls.bindBundle(manifest);
      bundleName.setText(getString(R.string.bundle_label, bundleInUse.name(), manifest.input().width(),
          manifest.input().height(), manifest.depth()));
    }
    results.showPlan(manifest, plan);
    if (cameraWaitsForBundle) {
      startCamera();
    } else if (camera != null && before != null && modelSide(before) != modelSide(manifest)) {
      startSource(); // the analysis stream was sized for the old model
    }
  }

  @Override
  public void onResult(ClassifierSession.Result result) {
    results.showResult(result);
  }

  @Override
  public void onFailure(Throwable error) {
    stopSource();
    Log.e(TAG, "classifier failed: " + error);
    if (error instanceof BundleException bundle) {
      showMessage(getString(R.string.bundle_error_title), bundleInUse.name() + ": " + bundle.problem() + ": " + bundle.getMessage(),
          0, null, 0, null);
    } else {
      showMessage(getString(R.string.runtime_error_title), String.valueOf(error.getMessage()), R.string.retry, () -> {
        if (session != null) {
          session.apply(controls.settings());
          startSource();
        }
      }, 0, null);
    }
  }

  @Override
  public boolean wantsFrame() {
    ClassifierSession s = session;
    return s != null && s.wantsFrame();
  }

  @Override
  public void onFrame(Frame frame) {
    ClassifierSession s = session;
    if (s != null) {
      s.submit(frame);
    }
  }

  @Override
  public void onCameraError(String message) {
    camera = null;
    Log.e(TAG, "camera: " + message);
    showMessage(getString(R.string.camera_error_title), message, R.string.retry, this::startSource,
        R.string.use_samples, this::switchToSamples);
  }

  // ---------------------------------------------------------------- message panel

  private void showMessage(String title, String text, int primaryLabel, Runnable primary, int secondaryLabel,
      Runnable secondary) {
    findViewById(R.id.message_panel).setVisibility(View.VISIBLE);
    ((TextView) findViewById(R.id.message_title)).setText(title);
    ((TextView) findViewById(R.id.message_text)).setText(text);
    bindButton(R.id.message_primary, primaryLabel, primary);
    bindButton(R.id.message_secondary, secondaryLabel, secondary);
  }

  private void bindButton(int id, int label, Runnable action) {
    Button button = findViewById(id);
    if (action == null) {
      button.setVisibility(View.GONE);
      return;
    }
    button.setVisibility(View.VISIBLE);
    button.setText(label);
    button.setOnClickListener(v -> action.run());
  }

  private void hideMessage() {
    findViewById(R.id.message_panel).setVisibility(View.GONE);
  }
}
