package org.elasticdepth.app;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import android.content.Context;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.elasticdepth.runtime.DepthPlan;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.junit.Test;
import org.junit.runner.RunWith;

/**
 * {@link ClassifierSession}'s lifecycle against other threads: a camera frame or thermal callback
 * arriving while the activity closes the session must not reach a shut-down worker (a
 * RejectedExecutionException there kills the process).
 */
@RunWith(AndroidJUnit4.class)
public class ClassifierSessionTest {
  private final Context context = ApplicationProvider.getApplicationContext();

  /**
   * Forces the racing order: the camera thread has passed the "closed?" check and is about to
   * hand its frame to the worker when the main thread closes the session.
   */
  @Test
  public void closeRacingAFrameFromTheCameraThreadDropsTheFrame() throws Exception {
    GatedExecutor worker = new GatedExecutor();
    ClassifierSession session = new ClassifierSession(context, TestRuntimes.tinyBundle(), BundleChoice.BUILT_IN,
        new SilentListener(), worker);
    AtomicReference<Throwable> cameraThreadFailure = new AtomicReference<>();
    Thread camera = new Thread(() -> {
      try {
        session.submit(Frame.ofCamera(new int[28 * 28], 28, 28));
      } catch (Throwable t) {
        cameraThreadFailure.set(t);
      }
    }, "camera");
    worker.gate(camera);
    camera.start();
    assertTrue("the camera thread reached the worker", worker.entered.await(10, TimeUnit.SECONDS));

    Thread main = new Thread(session::close, "main");
    main.start();
    // close() either finished (then the frame meets a shut-down worker) or waits for the hand-off
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (main.getState() != Thread.State.BLOCKED && main.getState() != Thread.State.WAITING
        && main.getState() != Thread.State.TERMINATED && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    worker.release.countDown();
    camera.join(10_000);
    main.join(10_000);

    assertNull("the camera thread must not see " + cameraThreadFailure.get(), cameraThreadFailure.get());
    assertFalse(main.isAlive());
    assertTrue("the session released everything", worker.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  public void callsAfterCloseAreIgnored() throws Exception {
    ExecutorService worker = Executors.newSingleThreadExecutor();
    ClassifierSession session = new ClassifierSession(context, TestRuntimes.tinyBundle(), BundleChoice.BUILT_IN,
        new SilentListener(), worker);
    session.close();
    session.close();
    session.apply(DemoSettings.DEFAULTS);
    session.trimMemory(android.content.ComponentCallbacks2.TRIM_MEMORY_RUNNING_LOW);
    session.switchBundle(BundleChoice.BUILT_IN);
    session.submit(Frame.ofCamera(new int[4], 2, 2));
    assertFalse(session.wantsFrame());
    assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
  }

  /** Runs tasks on one thread, but makes the first {@code execute} from a chosen thread wait. */
  private static final class GatedExecutor extends AbstractExecutorService {
    final ExecutorService delegate = Executors.newSingleThreadExecutor();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private volatile Thread gated;

    void gate(Thread thread) {
      gated = thread;
    }

    @Override
    public void execute(Runnable task) {
      if (Thread.currentThread() == gated) {
        gated = null;
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      delegate.execute(task);
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }
  }

  private static final class SilentListener implements ClassifierSession.Listener {
    @Override
    public void onReady(BundleManifest manifest, DepthPlan plan) {}

    @Override
    public void onResult(ClassifierSession.Result result) {}

    @Override
    public void onFailure(Throwable error) {}

    @Override
    public void onBundleSwitched(BundleChoice choice) {}

    @Override
    public void onBundleRefused(BundleChoice refused, Throwable error, BundleChoice kept) {}
  }
}
