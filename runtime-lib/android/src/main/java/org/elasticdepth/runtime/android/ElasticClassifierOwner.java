package org.elasticdepth.runtime.android;

import android.content.ComponentCallbacks2;
import android.content.Context;
import android.content.res.Configuration;
import android.util.Log;
import androidx.lifecycle.DefaultLifecycleObserver;
import androidx.lifecycle.Lifecycle;
import androidx.lifecycle.LifecycleOwner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.elasticdepth.runtime.Budget;
import org.elasticdepth.runtime.BudgetException;
import org.elasticdepth.runtime.DepthPlan;
import org.elasticdepth.runtime.ElasticClassifier;

/**
 * Ties an {@link ElasticClassifier} to an Android component: it re-plans the depth whenever the
 * device's budget changes and frees all native resources when the component is destroyed.
 *
 * <p>Creating a classifier opens the bundle and loads graphs (a GPU delegate may take seconds):
 * do it off the main thread, then attach on the main thread while the component is still alive.
 *
 * <pre>{@code
 * // in an Activity; `background` is e.g. Executors.newSingleThreadExecutor()
 * Context app = getApplicationContext();
 * background.execute(() -> {
 *   AndroidExecutor executor = AndroidExecutor.create(app);
 *   Bundle bundle = AssetBundles.fromAssets(app, "bundle");
 *   ElasticClassifier classifier = ElasticClassifier.create(bundle, executor,
 *       ElasticClassifier.Options.builder().setBudget(AndroidBudget.probe(app)).build());
 *   runOnUiThread(() -> {
 *     if (getLifecycle().getCurrentState().isAtLeast(Lifecycle.State.CREATED)) {
 *       ElasticClassifierOwner.attach(this, getLifecycle(), classifier, Budget.unlimited(), executor, bundle);
 *     } else { // destroyed meanwhile: nobody will use it
 *       background.execute(() -> { classifier.close(); executor.close(); bundle.close(); });
 *     }
 *   });
 * });
 * }</pre>
 *
 * <p>In Kotlin, the same with a coroutine. NonCancellable: once created, the classifier is either
 * attached or closed, even if the activity is destroyed meanwhile.
 *
 * <pre>{@code
 * lifecycleScope.launch(Dispatchers.Default + NonCancellable) {     // never on the main thread
 *   val executor = AndroidExecutor.create(applicationContext)
 *   val bundle = AssetBundles.fromAssets(applicationContext, "bundle")
 *   val classifier = ElasticClassifier.create(bundle, executor, options)
 *   val attached = withContext(Dispatchers.Main) {
 *     lifecycle.currentState.isAtLeast(Lifecycle.State.CREATED).also { alive ->
 *       if (alive) ElasticClassifierOwner.attach(this@MainActivity, lifecycle, classifier, Budget.unlimited(), executor, bundle)
 *     }
 *   }
 *   if (!attached) { classifier.close(); executor.close(); bundle.close() }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #onTrimMemory}: re-plans with {@link AndroidBudget#probe(Context, int)} for that
 *       level, so a smaller budget closes the blocks beyond the new depth at once;
 *   <li>{@code ON_START}: the app is visible again: forgets the trim level and re-plans, loading
 *       blocks back as the budget allows;
 *   <li>thermal status changes (API 29+): re-plans with the new {@link
 *       org.elasticdepth.runtime.ThermalLevel};
 *   <li>{@code ON_DESTROY}: {@link #close()}: unregisters everything at once, then closes the
 *       classifier (and so its graphs and delegates, on the classifier's owner thread) and the given
 *       resources, in order, exactly once, on this owner's background thread: {@code onDestroy}
 *       never waits for a running re-plan or a queued classification. {@link #closed()} completes
 *       when everything is closed.
 * </ul>
 *
 * <p>Each budget is the device's ({@link AndroidBudget}) narrowed by the app's {@code limits}
 * (latency, depth cap, memory cap). When not even the shallowest model fits, it re-plans to depth
 * 1 rather than stop classifying: on a starved device a shallow answer beats none.
 *
 * <p>Thread rules: re-plans run one at a time, in order, on a background thread of this owner
 * (loading blocks may take a while, and the callbacks arrive on the main thread); {@link
 * #lastReplan()} follows the newest. Attach and close on the main thread; neither blocks it.
 */
public final class ElasticClassifierOwner implements DefaultLifecycleObserver, ComponentCallbacks2, AutoCloseable {
  private static final String TAG = "ElasticClassifierOwner";

  private final Context context;
  private final Lifecycle lifecycle;
  private final ElasticClassifier classifier;
  private final Budget limits;
  private final List<AutoCloseable> closeAfter;
  private final ExecutorService replanThread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ThermalWatcher thermal;
  private volatile int trimLevel = AndroidBudget.NO_TRIM;
  private volatile CompletableFuture<DepthPlan> lastReplan;
  private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();

  private ElasticClassifierOwner(Context context, Lifecycle lifecycle, ElasticClassifier classifier, Budget limits,
      List<AutoCloseable> closeAfter) {
    this.context = context;
    this.lifecycle = lifecycle;
    this.classifier = classifier;
    this.limits = limits;
    this.closeAfter = closeAfter;
    this.replanThread = Executors.newSingleThreadExecutor(task -> {
      Thread thread = new Thread(task, "elastic-replan");
      thread.setDaemon(true);
      return thread;
    });
    this.lastReplan = CompletableFuture.completedFuture(classifier.plan());
    this.thermal = ThermalWatcher.start(context, this::onThermalStatusChanged);
  }

  /**
   * Starts managing {@code classifier}: observes {@code lifecycle}, receives the application's
   * memory callbacks and (API 29+) thermal changes. On destroy it closes the classifier, then each
   * of {@code closeAfter} in order (typically the executor and the bundle).
   *
   * @param limits the app's own limits, applied on top of the device budget ({@link
   *     Budget#unlimited()} for none)
   */
  public static ElasticClassifierOwner attach(Context context, Lifecycle lifecycle, ElasticClassifier classifier,
      Budget limits, AutoCloseable... closeAfter) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(lifecycle, "lifecycle");
    Objects.requireNonNull(classifier, "classifier");
    Objects.requireNonNull(limits, "limits");
    List<AutoCloseable> resources = new ArrayList<>();
    for (AutoCloseable c : closeAfter) {
      resources.add(Objects.requireNonNull(c, "closeAfter element"));
    }
    if (lifecycle.getCurrentState() == Lifecycle.State.DESTROYED) {
      throw new IllegalStateException("lifecycle is already destroyed; nothing would ever close the classifier");
    }
    Context app = context.getApplicationContext() != null ? context.getApplicationContext() : context;
    ElasticClassifierOwner owner = new ElasticClassifierOwner(app, lifecycle, classifier, limits, List.copyOf(resources));
    app.registerComponentCallbacks(owner);
    lifecycle.addObserver(owner);
    return owner;
  }

  public ElasticClassifier classifier() {
    return classifier;
  }

  /** The newest re-plan: completes with its plan, or exceptionally if it failed (the previous plan stays). */
  public CompletableFuture<DepthPlan> lastReplan() {
    return lastReplan;
  }

  /** Re-probes the device and re-plans now (e.g. after the app changed what it needs). */
  public CompletableFuture<DepthPlan> replan() {
    CompletableFuture<DepthPlan> future = new CompletableFuture<>();
    try {
      replanThread.execute(() -> {
        if (closed.get()) {
          future.completeExceptionally(new IllegalStateException("this ElasticClassifierOwner is closed"));
          return; // queued before close: moot, and the classifier is about to close
        }
        try {
          future.complete(replanNow());
        } catch (RuntimeException | Error e) {
          Log.w(TAG, "re-plan failed; keeping " + classifier.plan(), e);
          future.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      future.completeExceptionally(new IllegalStateException("this ElasticClassifierOwner is closed", e));
    }
    lastReplan = future;
    return future;
  }

  /** The budget a re-plan would use now: the device's, narrowed by the app's limits. */
  public Budget currentBudget() {
    return narrow(AndroidBudget.probe(context, trimLevel), limits);
  }

  private DepthPlan replanNow() {
    Budget budget = currentBudget();
    try {
      return classifier.replan(budget);
    } catch (BudgetException tooSmall) {
      Log.w(TAG, "budget " + budget + " fits no plan (" + tooSmall.getMessage() + "); running the shallowest model");
      return classifier.replan(Budget.unlimited().withThermal(budget.thermal()).withMaxDepth(1));
    }
  }

  /** The tighter of each limit of {@code a} and {@code b}; the hotter thermal level. */
  static Budget narrow(Budget a, Budget b) {
    return new Budget(Math.min(a.memoryBytes(), b.memoryBytes()), Math.min(a.latencyMillis(), b.latencyMillis()),
        a.thermal().compareTo(b.thermal()) >= 0 ? a.thermal() : b.thermal(), Math.min(a.maxDepth(), b.maxDepth()));
  }

  // ------------------------------------------------------------------ callbacks

  @Override
  public void onTrimMemory(int level) {
    trimLevel = level;
    replan();
  }

  @Override
  public void onLowMemory() {
    onTrimMemory(TRIM_MEMORY_COMPLETE);
  }

  @Override
  public void onConfigurationChanged(Configuration newConfig) {
    // The budget does not depend on the configuration.
  }

  @Override
  public void onStart(LifecycleOwner owner) {
    if (trimLevel != AndroidBudget.NO_TRIM) {
      trimLevel = AndroidBudget.NO_TRIM;
      replan();
    }
  }

  @Override
  public void onDestroy(LifecycleOwner owner) {
    close();
  }

  void onThermalStatusChanged() {
    replan();
  }

  /**
   * Unregisters the callbacks now, then closes the classifier and the other resources in order on
   * this owner's background thread, after a re-plan that is running (queued ones are dropped).
   * Returns at once, so it is safe on the main thread (GPU delegates can take seconds to free, and
   * a re-plan may be loading graphs). Idempotent: only the first call does anything. A failure to
   * close one resource does not stop the others; {@link #closed()} then completes exceptionally
   * with the first.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    lifecycle.removeObserver(this);
    context.unregisterComponentCallbacks(this);
    thermal.close();
    try {
      replanThread.execute(this::closeResources); // after the running re-plan; queued ones see `closed`
    } catch (RejectedExecutionException e) {
      Thread closer = new Thread(this::closeResources, "elastic-close");
      closer.setDaemon(true);
      closer.start();
    }
    replanThread.shutdown();
  }

  /** Completes once the classifier and every resource are closed (exceptionally if one failed). */
  public CompletableFuture<Void> closed() {
    return closedFuture;
  }

  private void closeResources() {
    Throwable failure = null;
    List<AutoCloseable> all = new ArrayList<>();
    all.add(classifier);
    all.addAll(closeAfter);
    for (AutoCloseable resource : all) {
      try {
        resource.close();
      } catch (Exception | LinkageError e) {
        Log.w(TAG, "closing " + resource + " failed", e);
        if (failure == null) {
          failure = e;
        }
      }
    }
    if (failure == null) {
      closedFuture.complete(null);
    } else {
      closedFuture.completeExceptionally(failure);
    }
  }

  public boolean isClosed() {
    return closed.get();
  }
}
