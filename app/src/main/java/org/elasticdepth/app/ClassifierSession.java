package org.elasticdepth.app;

import android.content.Context;
import android.os.Handler;
import android.os.Looper;
import android.util.Log;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.elasticdepth.runtime.Budget;
import org.elasticdepth.runtime.BudgetException;
import org.elasticdepth.runtime.Classification;
import org.elasticdepth.runtime.DepthPlan;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.android.AndroidBudget;
import org.elasticdepth.runtime.android.ThermalWatcher;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.spi.BlockExecutor;

/**
 * The classifier behind the screen: opens bundle, executor and {@link ElasticClassifier} off the
 * main thread, classifies the latest frame only, applies changed settings, and reports to a
 * {@link Listener} on the main thread.
 *
 * <p><b>Latest frame wins.</b> One frame is classified at a time; a frame that arrives meanwhile
 * replaces the one waiting, so results never lag behind the camera. {@link #wantsFrame()} lets
 * the camera skip even the conversion of frames that would be dropped.
 *
 * <p><b>Elastic depth.</b> The depth is planned from the device's budget narrowed by the user's
 * depth cap, and planned again when that budget changes: {@link #trimMemory} and thermal status
 * changes (API 29+, {@link ThermalWatcher}).
 *
 * <p><b>Bundles.</b> The session starts with a {@link BundleChoice} (the built-in bundle or one
 * the user opened) and {@link #switchBundle switches} only to a bundle that opens, hashes and
 * loads: a bad one is reported with {@link Listener#onBundleRefused} and the current one stays.
 *
 * <p><b>Threads.</b> Public methods are called on the main thread ({@link #submit} and {@link
 * #wantsFrame} from any thread). Opening, classifying and closing run on this session's worker
 * thread (the classifier itself runs graphs on its own owner thread), so nothing here blocks the
 * main thread; listener calls are posted to the main thread and suppressed once {@link #close}
 * was called, so a closing activity is never called back. Work handed to the worker after
 * {@link #close} (a late camera frame, a thermal callback) is dropped, never rejected.
 */
public final class ClassifierSession implements AutoCloseable {
  /** Receives what the session learns, on the main thread. */
  public interface Listener {
    /** The classifier is ready (also after settings changed) with this bundle and plan. */
    void onReady(BundleManifest manifest, DepthPlan plan);

    /** One frame was classified. */
    void onResult(Result result);

    /** The bundle, executor or a classification failed; the session stays usable for {@link #apply}. */
    void onFailure(Throwable error);

    /** The session now classifies with {@code choice} (after {@link #switchBundle}); {@link #onReady} follows. */
    void onBundleSwitched(BundleChoice choice);

    /**
     * {@code refused} could not be used ({@code error} says why); the session keeps classifying
     * with {@code kept}. Also reported at start when the remembered bundle no longer opens.
     */
    void onBundleRefused(BundleChoice refused, Throwable error, BundleChoice kept);
  }

  /**
   * One classified frame with the screen's running numbers.
   *
   * @param averageMillis mean per-frame time (preprocessing + inference) over the last {@code averageCount} frames
   */
  public record Result(Frame frame, Classification classification, double averageMillis, int averageCount) {}

  /** Frames over which the latency on screen is averaged. */
  static final int LATENCY_WINDOW = 10;
  private static final String TAG = "EDDemo";

  private final Context context;
  private final RuntimeFactory factory;
  private final Listener listener;
  private final Handler main = new Handler(Looper.getMainLooper());
  private final ExecutorService worker;
  private final AtomicReference<Frame> pending = new AtomicReference<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  /** Guards {@link #closed} together with handing work to {@link #worker}: see {@link #enqueue}. */
  private final Object lifecycle = new Object();
  private volatile boolean closed;
  private final ThermalWatcher thermal;

  // Worker thread only.
  private BundleChoice choice;
  private Bundle bundle;
  private BlockExecutor executor;
  private ElasticClassifier classifier;
  private DemoSettings applied;
  private int trimLevel = AndroidBudget.NO_TRIM;
  private final MovingAverage latency = new MovingAverage(LATENCY_WINDOW);

  /** Creates the session for the built-in bundle; call on the main thread. */
  public ClassifierSession(Context context, RuntimeFactory factory, Listener listener) {
    this(context, factory, BundleChoice.BUILT_IN, listener);
  }

  /**
   * Creates the session for {@code choice} (falling back to the built-in bundle, with {@link
   * Listener#onBundleRefused}, if it no longer opens); call on the main thread. It starts
   * watching the thermal status (API 29+).
   */
  public ClassifierSession(Context context, RuntimeFactory factory, BundleChoice choice, Listener listener) {
    this(context, factory, choice, listener,
        Executors.newSingleThreadExecutor(r -> new Thread(r, "classifier-session")));
  }

  /** As above with the worker given: tests hand in an executor that pauses to force a race. */
  ClassifierSession(Context context, RuntimeFactory factory, BundleChoice choice, Listener listener,
      ExecutorService worker) {
    this.context = context.getApplicationContext();
    this.factory = factory;
    this.listener = listener;
    this.choice = choice;
    this.worker = worker;
    // A phone heating up lowers the depth while the demo runs, not only at its next start.
    this.thermal = ThermalWatcher.start(this.context, () -> enqueue(this::replanForDevice));
  }

  /** Opens (or re-configures) the classifier for {@code settings}, in the background. */
  public void apply(DemoSettings settings) {
    enqueue(() -> {
      try {
        configure(settings);
        BundleManifest manifest = classifier.manifest();
        DepthPlan plan = classifier.plan();
        post(() -> listener.onReady(manifest, plan));
      } catch (RuntimeException | LinkageError e) {
        post(() -> listener.onFailure(e));
      }
    });
  }

  /**
   * Switches to {@code next} if it opens, every graph matches its hash and the classifier loads
   * it with the current settings; otherwise reports {@link Listener#onBundleRefused} and keeps
   * the current bundle. In the background.
   */
  public void switchBundle(BundleChoice next) {
    enqueue(() -> switchTo(next));
  }

  /**
   * Plans again for less memory after {@code ComponentCallbacks2.onTrimMemory(level)}: elastic
   * depth gives back blocks instead of the whole process being killed.
   */
  public void trimMemory(int level) {
    enqueue(() -> {
      trimLevel = level;
      replanForDevice();
    });
  }

  /** Whether a new frame would be classified soon rather than replace a waiting one. */
  public boolean wantsFrame() {
    return pending.get() == null && !draining.get() && !closed;
  }

  /** Queues {@code frame} for classification, replacing any frame still waiting. Any thread. */
  public void submit(Frame frame) {
    if (closed) {
      return;
    }
    pending.set(frame);
    if (draining.compareAndSet(false, true) && !enqueue(this::drain)) {
      draining.set(false);
    }
  }

  /** Stops classifying and releases classifier, executor and bundle in the background. Idempotent. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      pending.set(null);
      worker.execute(this::release);
      worker.shutdown();
    }
    thermal.close();
  }

  /**
   * Hands {@code task} to the worker unless the session is closed. Checking {@link #closed} and
   * calling {@code execute} under one lock that {@link #close} also takes means the worker is
   * never shut down in between (a {@code RejectedExecutionException} on a camera or binder
   * thread would kill the process). {@code execute} on this unbounded executor does not block.
   */
  private boolean enqueue(Runnable task) {
    synchronized (lifecycle) {
      if (closed) {
        return false;
      }
      worker.execute(task);
      return true;
    }
  }

  // ---------------------------------------------------------------- worker thread

  /** Re-plans for the device's budget now (memory, trim level, thermal status), keeping the settings. */
  private void replanForDevice() {
    if (classifier == null || applied == null) {
      return;
    }
    try {
      replanWithFallback(budget(applied));
      DepthPlan plan = classifier.plan();
      BundleManifest manifest = classifier.manifest();
      post(() -> listener.onReady(manifest, plan));
    } catch (RuntimeException e) {
      post(() -> listener.onFailure(e));
    }
  }

  private void configure(DemoSettings settings) {
    if (bundle == null) {
      bundle = openChosenOrBuiltIn();
    }
    boolean rebuild = classifier == null || applied == null || settings.needsNewExecutor(applied)
        || !ExitRules.policy(settings, bundle.manifest().calibration())
            .equals(ExitRules.policy(applied, bundle.manifest().calibration()));
    if (rebuild) {
      closeClassifier();
      if (executor == null || applied == null || settings.needsNewExecutor(applied)) {
        closeExecutor();
        executor = factory.createExecutor(context, settings.executor(), settings.threads());
      }
      classifier = createWithFallback(bundle, settings);
      latency.clear();
    } else if (settings.depthCap() != applied.depthCap()) {
      replanWithFallback(budget(settings));
    }
    applied = settings;
  }

  /** The chosen bundle; the built-in one (reporting why) when a remembered one no longer opens. */
  private Bundle openChosenOrBuiltIn() {
    if (choice.isBuiltIn()) {
      return factory.openBundle(context);
    }
    try {
      return openVerified(choice);
    } catch (RuntimeException e) {
      BundleChoice refused = choice;
      choice = BundleChoice.BUILT_IN;
      Log.e(TAG, "bundle " + refused.name() + " refused, using the built-in one: " + e.getMessage());
      post(() -> listener.onBundleRefused(refused, e, BundleChoice.BUILT_IN));
      return factory.openBundle(context);
    }
  }

  /** Opens an imported zip and hashes every graph now, so a bad file is refused before it is used. */
  private static Bundle openVerified(BundleChoice choice) {
    Bundle opened = Bundle.fromZip(choice.zip());
    try {
      opened.verifyAll();
      return opened;
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  private void switchTo(BundleChoice next) {
    Bundle candidate = null;
    ElasticClassifier candidateClassifier = null;
    try {
      candidate = next.isBuiltIn() ? factory.openBundle(context) : openVerified(next);
      if (applied != null) {
        if (executor == null) {
          executor = factory.createExecutor(context, applied.executor(), applied.threads());
        }
        // Loading the graphs checks their tensor shapes against the manifest.
        candidateClassifier = createWithFallback(candidate, applied);
      }
    } catch (RuntimeException | LinkageError e) {
      if (candidate != null) {
        candidate.close();
      }
      BundleChoice kept = choice;
      Log.e(TAG, "bundle " + next.name() + " refused, keeping " + kept.name() + ": " + e.getMessage());
      post(() -> listener.onBundleRefused(next, e, kept));
      return;
    }
    closeClassifier();
    if (bundle != null) {
      bundle.close();
    }
    bundle = candidate;
    classifier = candidateClassifier;
    choice = next;
    latency.clear();
    Log.i(TAG, "classifying with bundle " + next.name());
    post(() -> listener.onBundleSwitched(next));
    if (classifier != null) {
      BundleManifest manifest = classifier.manifest();
      DepthPlan plan = classifier.plan();
      post(() -> listener.onReady(manifest, plan));
    }
  }

  /** The device's budget (memory, thermal) narrowed by the user's depth cap. */
  private Budget budget(DemoSettings settings) {
    Budget device = AndroidBudget.probe(context, trimLevel);
    return settings.depthCap() == DemoSettings.AUTO_DEPTH ? device : device.withMaxDepth(settings.depthCap());
  }

  /**
   * When the device budget cannot hold even one block, classifying with one block beats showing
   * nothing: the plan's reason then says why the depth is 1.
   */
  private ElasticClassifier createWithFallback(Bundle target, DemoSettings settings) {
    ElasticClassifier.Options options = ElasticClassifier.Options.builder()
        .setExitPolicy(ExitRules.policy(settings, target.manifest().calibration()))
        .setBudget(budget(settings))
        .build();
    try {
      return ElasticClassifier.create(target, executor, options);
    } catch (BudgetException e) {
      return ElasticClassifier.create(target, executor, options.toBuilder().setBudget(Budget.unlimited().withMaxDepth(1)).build());
    }
  }
  private void replanWithFallback(Budget budget) {
    try {
      classifier.replan(budget);
    } catch (BudgetException e) {
      classifier.replan(Budget.unlimited().withMaxDepth(1));
    }
  }

  private void drain() {
    try {
      for (Frame frame; (frame = pending.getAndSet(null)) != null && !closed; ) {
        classifyOne(frame);
      }
    } finally {
      draining.set(false);
    }
    // A frame may have arrived between the last poll and clearing the flag.
    if (pending.get() != null && draining.compareAndSet(false, true) && !enqueue(this::drain)) {
      draining.set(false);
    }
  }

  private void classifyOne(Frame frame) {
    if (classifier == null) {
      return; // not configured (yet, or it failed): the failure was already reported
    }
    try {
      long start = System.nanoTime();
      Classification c = classifier.classify(frame.argb(), frame.width(), frame.height());
      latency.add((System.nanoTime() - start) / 1e6);
      Result result = new Result(frame, c, latency.mean(), latency.count());
      post(() -> listener.onResult(result));
    } catch (RuntimeException e) {
      post(() -> listener.onFailure(e));
    }
  }

  private void release() {
    closeClassifier();
    closeExecutor();
    if (bundle != null) {
      bundle.close();
      bundle = null;
    }
  }

  private void closeClassifier() {
    if (classifier != null) {
      classifier.close();
      classifier = null;
    }
  }

  private void closeExecutor() {
    if (executor != null) {
      executor.close();
      executor = null;
    }
  }

  private void post(Runnable r) {
    main.post(() -> {
      if (!closed) {
        r.run();
      }
    });
  }
}
