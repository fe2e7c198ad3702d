package org.elasticdepth.runtime.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.app.ActivityManager;
import android.app.Application;
import android.content.ComponentCallbacks2;
import android.content.Context;
import android.os.PowerManager;
import androidx.lifecycle.Lifecycle;
import androidx.lifecycle.LifecycleRegistry;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.elasticdepth.runtime.Budget;
import org.elasticdepth.runtime.DepthPlan;
import org.elasticdepth.runtime.DepthPlanner;
import org.elasticdepth.runtime.GraphCosts;
import org.elasticdepth.runtime.ThermalLevel;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;

/**
 * The Android glue around a real classifier: runtime-desktop's executor runs the fixture bundle's
 * graphs (TFLite's Android natives do not exist on the JVM), Robolectric plays the platform.
 */
@RunWith(AndroidJUnit4.class)
@Config(sdk = 34)
public class ElasticClassifierOwnerTest {
  private static final long THRESHOLD = 200L << 20;

  private final Application app = ApplicationProvider.getApplicationContext();
  private ActivityManager activityManager;
  private PowerManager power;
  private CountingExecutor executor;
  private final AtomicInteger bundleCloses = new AtomicInteger();
  private Bundle bundle;
  private ElasticClassifier classifier;
  private LifecycleRegistry lifecycle;
  private ElasticClassifierOwner owner;
  private long fullDepthBytes;
  private int depth;
  private float[] image;

  @Before
  public void setUp() {
    activityManager = (ActivityManager) app.getSystemService(Context.ACTIVITY_SERVICE);
    power = (PowerManager) app.getSystemService(Context.POWER_SERVICE);
    shadowOf(activityManager).setMemoryClass(256);
    shadowOf(activityManager).setIsLowRamDevice(false);
    bundle = Bundle.fromBuffers(TestBundles.buffers(TestBundles.TINY));
    executor = new CountingExecutor(DesktopExecutor.create());
    // What the planner needs for full depth; the device is then given exactly that much headroom.
    depth = bundle.manifest().depth();
    image = new float[bundle.manifest().input().elementCount()];
    fullDepthBytes = planFor(Budget.unlimited()).memoryBytes();
    setHeadroom(2 * fullDepthBytes); // the policy grants half the headroom

    classifier = ElasticClassifier.create(bundle, executor,
        ElasticClassifier.Options.builder().setBudget(AndroidBudget.probe(app)).setWarmUpRuns(1).build());
    lifecycle = LifecycleRegistry.createUnsafe(() -> lifecycle);
    lifecycle.setCurrentState(Lifecycle.State.RESUMED);
    owner = ElasticClassifierOwner.attach(app, lifecycle, classifier, Budget.unlimited(), executor, () -> {
      bundleCloses.incrementAndGet();
      bundle.close();
    });
  }

  @After
  public void tearDown() {
    owner.close();
    shadowOf(power).setCurrentThermalStatus(PowerManager.THERMAL_STATUS_NONE);
  }

  private void setHeadroom(long headroom) {
    ActivityManager.MemoryInfo info = new ActivityManager.MemoryInfo();
    info.threshold = THRESHOLD;
    info.availMem = THRESHOLD + headroom;
    info.totalMem = 4L << 30;
    shadowOf(activityManager).setMemoryInfo(info);
  }

  /** What the planner decides for a memory-only budget (measured latencies play no part). */
  private DepthPlan planFor(Budget budget) {
    return new DepthPlanner().plan(budget, GraphCosts.forBundle(bundle, executor), false);
  }

  private DepthPlan awaitReplan() throws Exception {
    return owner.lastReplan().get(30, TimeUnit.SECONDS);
  }

  private static List<String> blocks(int depth) {
    List<String> files = new java.util.ArrayList<>(List.of("stem.tflite", "head.tflite"));
    for (int l = 1; l <= depth; l++) {
      files.add(String.format("block_%02d.tflite", l));
    }
    return files;
  }

  private void assertOpenGraphs(int depth) {
    List<String> open = executor.open();
    java.util.Collections.sort(open);
    List<String> expected = blocks(depth);
    java.util.Collections.sort(expected);
    assertEquals(expected, open);
  }

  @Test
  public void theDeviceBudgetAllowsFullDepthAtFirst() {
    assertTrue("the fixture needs at least 2 blocks", depth >= 2);
    assertEquals(depth, classifier.plan().depth());
    assertEquals(depth, classifier.loadedDepth());
    assertOpenGraphs(depth);
  }

  @Test
  public void onTrimMemoryLowersTheDepthAndReleasesBlocks() throws Exception {
    long residentBefore = classifier.residentBytes();
    app.onTrimMemory(ComponentCallbacks2.TRIM_MEMORY_RUNNING_MODERATE); // the platform's dispatch to callbacks

    DepthPlan plan = awaitReplan();
    assertEquals("RUNNING_MODERATE halves the budget", fullDepthBytes / 2, plan.budget().memoryBytes());
    int expected = planFor(Budget.unlimited().withMemoryBytes(fullDepthBytes / 2)).depth();
    assertTrue(expected < depth);
    assertEquals(expected, plan.depth());
    assertEquals(DepthPlan.Constraint.MEMORY, plan.limitedBy());
    assertEquals(expected, classifier.loadedDepth());
    assertOpenGraphs(expected);
    assertTrue(classifier.residentBytes() < residentBefore);
    assertEquals(expected, classifier.classify(image).exitLayer());
  }

  @Test
  public void comingBackToTheForegroundLoadsTheBlocksAgain() throws Exception {
    app.onTrimMemory(ComponentCallbacks2.TRIM_MEMORY_RUNNING_MODERATE);
    assertTrue(awaitReplan().depth() < depth);
    lifecycle.handleLifecycleEvent(Lifecycle.Event.ON_STOP);
    lifecycle.handleLifecycleEvent(Lifecycle.Event.ON_START);

    assertEquals(depth, awaitReplan().depth());
    assertOpenGraphs(depth);
  }

  @Test
  public void aHiddenUiKeepsOnlyTheShallowestModel() throws Exception {
    app.onTrimMemory(ComponentCallbacks2.TRIM_MEMORY_UI_HIDDEN);
    DepthPlan plan = awaitReplan();
    assertEquals(1, plan.depth());
    assertEquals("no memory fits, so the owner falls back to depth 1", DepthPlan.Constraint.MAX_DEPTH, plan.limitedBy());
    assertOpenGraphs(1);
  }

  @Test
  public void aHotDeviceCapsTheDepth() throws Exception {
    shadowOf(power).setCurrentThermalStatus(PowerManager.THERMAL_STATUS_SEVERE); // notifies the listener
    DepthPlan plan = awaitReplan();
    assertEquals(ThermalLevel.SEVERE, plan.budget().thermal());
    assertEquals(ThermalLevel.SEVERE.depthCap(depth), plan.depth()); // half the blocks
    assertEquals(DepthPlan.Constraint.THERMAL, plan.limitedBy());
    assertOpenGraphs(plan.depth());
  }

  @Test
  public void theAppsLimitsNarrowTheDeviceBudget() {
    Budget device = AndroidBudget.probe(app);
    Budget app = Budget.unlimited().withLatencyMillis(20).withMaxDepth(2).withMemoryBytes(device.memoryBytes() * 4);
    Budget narrowed = ElasticClassifierOwner.narrow(device, app);
    assertEquals(device.memoryBytes(), narrowed.memoryBytes());
    assertEquals(20, narrowed.latencyMillis(), 0);
    assertEquals(2, narrowed.maxDepth());
  }

  @Test
  public void destroyClosesTheClassifierAndItsResourcesExactlyOnce() throws Exception {
    int loaded = executor.loaded.size();
    lifecycle.handleLifecycleEvent(Lifecycle.Event.ON_DESTROY);

    assertTrue(owner.isClosed());
    owner.closed().get(30, TimeUnit.SECONDS); // closing happens off the caller's (main) thread
    assertEquals(List.of(), executor.open());
    for (CountingExecutor.CountingGraph g : executor.loaded) {
      assertEquals(g.spec().file() + " closes", 1, g.closes.get());
    }
    assertEquals(1, executor.closes.get());
    assertEquals(1, bundleCloses.get());
    assertThrows(IllegalStateException.class, () -> classifier.classify(image));

    // Later signals reach nobody, and closing again changes nothing.
    var last = owner.lastReplan();
    app.onTrimMemory(ComponentCallbacks2.TRIM_MEMORY_RUNNING_CRITICAL);
    shadowOf(power).setCurrentThermalStatus(PowerManager.THERMAL_STATUS_SEVERE);
    assertSame(last, owner.lastReplan());
    assertTrue(shadowOf(power).getThermalStatusListeners().isEmpty());
    owner.close();
    lifecycle.handleLifecycleEvent(Lifecycle.Event.ON_DESTROY);
    assertEquals(1, executor.closes.get());
    assertEquals(1, bundleCloses.get());
    assertEquals(loaded, executor.loaded.size());
    assertFalse(executor.loaded.isEmpty());
  }

  @Test
  public void onDestroyReturnsAtOnceWhileARePlanIsBlockedInTheExecutor() throws Exception {
    app.onTrimMemory(ComponentCallbacks2.TRIM_MEMORY_RUNNING_MODERATE);
    assertTrue(awaitReplan().depth() < depth);
    // Coming back loads blocks again: make that load hang, as a GPU delegate's init can for seconds.
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    executor.blockLoads(entered, release);
    lifecycle.handleLifecycleEvent(Lifecycle.Event.ON_STOP);
    lifecycle.handleLifecycleEvent(Lifecycle.Event.ON_START);
    assertTrue("the re-plan reached the executor", entered.await(30, TimeUnit.SECONDS));
    app.onTrimMemory(ComponentCallbacks2.TRIM_MEMORY_RUNNING_LOW); // a queued re-plan behind it

    // The main thread's ON_DESTROY, on a thread of its own so that a blocking close fails the test, not hangs it.
    Thread main = new Thread(() -> lifecycle.handleLifecycleEvent(Lifecycle.Event.ON_DESTROY), "main-thread-stand-in");
    main.start();
    main.join(2_000);
    boolean returned = !main.isAlive();
    release.countDown();
    main.join(30_000);
    assertTrue("onDestroy waited for the blocked re-plan (ANR on a phone)", returned);

    owner.closed().get(30, TimeUnit.SECONDS);
    assertTrue(owner.isClosed());
    assertEquals(List.of(), executor.open());
    for (CountingExecutor.CountingGraph g : executor.loaded) {
      assertEquals(g.spec().file() + " closes", 1, g.closes.get());
    }
    assertEquals(1, executor.closes.get());
    assertEquals(1, bundleCloses.get());
  }

  @Test
  public void aDestroyedLifecycleIsRefused() {
    LifecycleRegistry destroyed = LifecycleRegistry.createUnsafe(() -> lifecycle);
    destroyed.setCurrentState(Lifecycle.State.CREATED);
    destroyed.setCurrentState(Lifecycle.State.DESTROYED);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ElasticClassifierOwner.attach(app, destroyed, classifier, Budget.unlimited()));
    assertTrue(e.getMessage(), e.getMessage().startsWith("lifecycle is already destroyed"));
  }
}
