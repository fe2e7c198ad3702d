package org.elasticdepth.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.elasticdepth.runtime.DepthPlan.Constraint;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.MinimalDepth;
import org.elasticdepth.runtime.spi.BlockExecutor;
import org.elasticdepth.runtime.spi.LoadedGraph;
import org.junit.Test;

public class DepthPlannerTest {
  private static final long MS = 1_000_000;

  /** 6 measured blocks: stem 100 B / 1 ms, block 1000 B / 2 ms, head 50 B / 0.5 ms. */
  private static GraphCosts measured() {
    return new GraphCosts(new GraphCost(100, 0, MS), Collections.nCopies(6, new GraphCost(1000, 0, 2 * MS)),
        new GraphCost(50, 0, MS / 2));
  }

  private record Row(String name, Budget budget, boolean headEveryBlock, int depth, Constraint limitedBy) {}

  @Test
  public void picksTheDeepestDepthThatFits() {
    Budget all = Budget.unlimited();
    List<Row> rows = List.of(
        new Row("unlimited", all, true, 6, Constraint.NONE),
        new Row("memory for 3 blocks exactly", all.withMemoryBytes(150 + 3 * 1000), true, 3, Constraint.MEMORY),
        new Row("one byte short of 3 blocks", all.withMemoryBytes(150 + 3 * 1000 - 1), true, 2, Constraint.MEMORY),
        new Row("memory for everything", all.withMemoryBytes(150 + 6 * 1000), true, 6, Constraint.NONE),
        new Row("memory for the minimum", all.withMemoryBytes(1150), true, 1, Constraint.MEMORY),
        // with the head after every block: 1 + 2.5 d ms
        new Row("latency 10 ms, head every block", all.withLatencyMillis(10), true, 3, Constraint.LATENCY),
        // head once: 1.5 + 2 d ms
        new Row("latency 10 ms, head once", all.withLatencyMillis(10), false, 4, Constraint.LATENCY),
        new Row("latency exactly depth 4", all.withLatencyMillis(11), true, 4, Constraint.LATENCY),
        new Row("latency for everything", all.withLatencyMillis(16), true, 6, Constraint.NONE),
        new Row("thermal light", all.withThermal(ThermalLevel.LIGHT), true, 6, Constraint.NONE),
        new Row("thermal moderate", all.withThermal(ThermalLevel.MODERATE), true, 4, Constraint.THERMAL),
        new Row("thermal severe", all.withThermal(ThermalLevel.SEVERE), true, 3, Constraint.THERMAL),
        new Row("thermal critical", all.withThermal(ThermalLevel.CRITICAL), true, 1, Constraint.THERMAL),
        new Row("thermal shutdown", all.withThermal(ThermalLevel.SHUTDOWN), true, 1, Constraint.THERMAL),
        new Row("max depth 2", all.withMaxDepth(2), true, 2, Constraint.MAX_DEPTH),
        new Row("max depth above the model", all.withMaxDepth(10), true, 6, Constraint.NONE),
        new Row("max depth tighter than memory", all.withMaxDepth(2).withMemoryBytes(150 + 3 * 1000), true, 2, Constraint.MAX_DEPTH),
        new Row("memory tighter than max depth", all.withMaxDepth(5).withMemoryBytes(150 + 3 * 1000), true, 3, Constraint.MEMORY),
        new Row("latency tighter than thermal", all.withThermal(ThermalLevel.MODERATE).withLatencyMillis(10), true, 3, Constraint.LATENCY),
        new Row("thermal tighter than latency", all.withThermal(ThermalLevel.SEVERE).withLatencyMillis(100), true, 3, Constraint.THERMAL),
        new Row("memory binds before latency", all.withMemoryBytes(2150).withLatencyMillis(10), true, 2, Constraint.MEMORY));
    DepthPlanner planner = new DepthPlanner();
    List<String> failures = new ArrayList<>();
    for (Row row : rows) {
      DepthPlan plan = planner.plan(row.budget(), measured(), row.headEveryBlock());
      if (plan.depth() != row.depth() || plan.limitedBy() != row.limitedBy()) {
        failures.add(row.name() + ": expected " + row.depth() + "/" + row.limitedBy() + ", got " + plan.depth() + "/"
            + plan.limitedBy() + " (" + plan.reason() + ")");
      }
      assertEquals(row.name(), 6, plan.modelDepth());
      assertEquals(row.name(), 150 + 1000L * plan.depth(), plan.memoryBytes());
      assertTrue(row.name() + ": " + plan.reason(), plan.reason().startsWith("depth " + plan.depth() + " of 6"));
    }
    assertTrue(String.join("\n", failures), failures.isEmpty());
  }

  @Test
  public void reasonNamesTheBindingConstraint() {
    DepthPlanner planner = new DepthPlanner();
    assertTrue(planner.plan(Budget.unlimited(), measured(), true).reason().contains("full depth fits"));
    String memory = planner.plan(Budget.unlimited().withMemoryBytes(3150), measured(), true).reason();
    assertTrue(memory, memory.contains("block 4 would raise memory") && memory.contains("budget"));
    String latency = planner.plan(Budget.unlimited().withLatencyMillis(10), measured(), true).reason();
    assertTrue(latency, latency.contains("block 4 would raise the worst-case latency"));
    String thermal = planner.plan(Budget.unlimited().withThermal(ThermalLevel.SEVERE), measured(), true).reason();
    assertTrue(thermal, thermal.contains("thermal level SEVERE"));
  }

  @Test
  public void budgetBelowTheMinimumIsAClearError() {
    DepthPlanner planner = new DepthPlanner();
    try {
      planner.plan(Budget.unlimited().withMemoryBytes(1149), measured(), true);
      fail();
    } catch (BudgetException e) {
      assertEquals(Constraint.MEMORY, e.constraint());
      assertTrue(e.getMessage(), e.getMessage().contains("stem + block 1 + head = 1150 B"));
    }
    try {
      planner.plan(Budget.unlimited().withMemoryBytes(100), measured(), true); // below stem + head alone
      fail();
    } catch (BudgetException e) {
      assertEquals(Constraint.MEMORY, e.constraint());
    }
    try {
      planner.plan(Budget.unlimited().withLatencyMillis(3.4), measured(), true);
      fail();
    } catch (BudgetException e) {
      assertEquals(Constraint.LATENCY, e.constraint());
      assertTrue(e.getMessage(), e.getMessage().contains("3.50 ms"));
    }
  }

  @Test
  public void unmeasuredBlocksAreEstimatedAtTheMeasuredBlocksThroughput() {
    // Blocks 1-2 measured: 2 MFLOP in 1 ms = 2 GFLOP/s... at 4 MFLOP per ms for the others.
    List<GraphCost> blocks = new ArrayList<>();
    blocks.add(new GraphCost(1000, 4_000_000, MS));
    blocks.add(new GraphCost(1000, 4_000_000, MS));
    for (int i = 0; i < 4; i++) {
      blocks.add(new GraphCost(1000, 4_000_000, GraphCost.NOT_MEASURED));
    }
    GraphCosts costs = new GraphCosts(new GraphCost(100, 0, 0), blocks, new GraphCost(50, 0, 0));
    // 1 ms per block (measured or estimated): 4.5 ms fits 4 blocks, not 5.
    DepthPlan plan = new DepthPlanner().plan(Budget.unlimited().withLatencyMillis(4.5), costs, false);
    assertEquals(4, plan.depth());
    assertEquals(4 * MS, plan.latencyNanos());
    assertTrue(plan.reason(), plan.reason().contains("partly estimated"));
  }

  @Test
  public void withoutMeasurementsTheAssumedThroughputIsUsed() {
    GraphCosts costs = new GraphCosts(new GraphCost(100, 1_000_000, GraphCost.NOT_MEASURED),
        Collections.nCopies(6, new GraphCost(1000, 2_000_000, GraphCost.NOT_MEASURED)),
        new GraphCost(50, 1_000_000, GraphCost.NOT_MEASURED));
    // At the default 2 GFLOP/s: stem 0.5 ms, block 1 ms, head 0.5 ms.
    DepthPlan plan = new DepthPlanner().plan(Budget.unlimited().withLatencyMillis(3), costs, false);
    assertEquals(2, plan.depth());
    assertEquals(3 * MS, plan.latencyNanos());
    // At 1 GFLOP/s everything takes twice as long.
    assertEquals(1, new DepthPlanner(1e9).plan(Budget.unlimited().withLatencyMillis(5), costs, false).depth());
  }

  @Test
  public void budgetValuesAreValidated() {
    assertInvalid(() -> Budget.unlimited().withMemoryBytes(0));
    assertInvalid(() -> Budget.unlimited().withLatencyMillis(0));
    assertInvalid(() -> Budget.unlimited().withLatencyMillis(Double.NaN));
    assertInvalid(() -> Budget.unlimited().withMaxDepth(0));
    assertInvalid(() -> new DepthPlanner(0));
    assertEquals(ThermalLevel.SEVERE, ThermalLevel.fromAndroidStatus(3));
    assertEquals(ThermalLevel.SHUTDOWN, ThermalLevel.fromAndroidStatus(6));
  }

  @Test
  public void aThermalStatusAFutureAndroidAddsIsMappedNeverThrown() {
    // Statuses are ordered by severity: anything beyond SHUTDOWN is read as the hottest known level.
    assertEquals(ThermalLevel.SHUTDOWN, ThermalLevel.fromAndroidStatus(7));
    assertEquals(ThermalLevel.SHUTDOWN, ThermalLevel.fromAndroidStatus(Integer.MAX_VALUE));
    assertEquals(ThermalLevel.NONE, ThermalLevel.fromAndroidStatus(-1));
    assertEquals(ThermalLevel.NONE, ThermalLevel.fromAndroidStatus(Integer.MIN_VALUE));
    for (int status = 0; status <= 6; status++) {
      assertEquals(ThermalLevel.values()[status], ThermalLevel.fromAndroidStatus(status));
      assertTrue(ThermalLevel.isKnownAndroidStatus(status));
    }
    assertFalse(ThermalLevel.isKnownAndroidStatus(7));
    assertFalse(ThermalLevel.isKnownAndroidStatus(-1));
  }

  @Test
  public void theTasksMinimalDepthCapsOnlyWhenNoBudgetIsGiven() {
    MinimalDepth four = new MinimalDepth(0.005, 4);
    Budget all = Budget.unlimited();
    List<Row> rows = List.of(
        new Row("no budget: the task's minimal depth", all, true, 4, Constraint.MINIMAL_DEPTH),
        new Row("no budget, light thermal", all.withThermal(ThermalLevel.LIGHT), true, 4, Constraint.MINIMAL_DEPTH),
        new Row("thermal tighter than the minimal depth", all.withThermal(ThermalLevel.SEVERE), true, 3, Constraint.THERMAL),
        new Row("user's depth cap above it wins", all.withMaxDepth(6), true, 6, Constraint.NONE),
        new Row("user's depth cap below it wins", all.withMaxDepth(2), true, 2, Constraint.MAX_DEPTH),
        new Row("memory budget for everything wins", all.withMemoryBytes(150 + 6 * 1000), true, 6, Constraint.NONE),
        new Row("memory budget for 3 blocks", all.withMemoryBytes(150 + 3 * 1000), true, 3, Constraint.MEMORY),
        new Row("latency budget for everything wins", all.withLatencyMillis(16), true, 6, Constraint.NONE));
    List<String> failures = new ArrayList<>();
    for (Row row : rows) {
      DepthPlan plan = new DepthPlanner().plan(row.budget(), measured(), row.headEveryBlock(), four);
      if (plan.depth() != row.depth() || plan.limitedBy() != row.limitedBy()) {
        failures.add(row.name() + ": expected " + row.depth() + "/" + row.limitedBy() + ", got " + plan.depth() + "/"
            + plan.limitedBy() + " (" + plan.reason() + ")");
      }
    }
    assertTrue(String.join("\n", failures), failures.isEmpty());

    DepthPlan plan = new DepthPlanner().plan(all, measured(), true, four);
    assertEquals("depth 4 of 6: capped at the task's minimal depth: layer 4 is within 0.5 points of full-depth "
        + "accuracy on validation (no budget given; withMaxDepth(6) for full depth) (needs 4150 B, 11.00 ms)",
        plan.reason());
    assertEquals("without a minimal depth, full depth", 6, new DepthPlanner().plan(all, measured(), true, null).depth());
    assertEquals("a minimal depth at full depth binds nothing", Constraint.NONE,
        new DepthPlanner().plan(all, measured(), true, new MinimalDepth(0.01, 6)).limitedBy());
  }

  @Test
  public void manifestCostsCountTheModelFileAndItsTensors() {
    GraphCosts costs = GraphCosts.fromManifest(FakeBundle.manifest(3));
    assertEquals(3, costs.depth());
    // block: 10 000 bytes + 4 * (20 in + 20 + 4 out) floats
    assertEquals(FakeBundle.BLOCK_BYTES + 4 * 44, costs.block(2).memoryBytes());
    assertEquals(FakeBundle.BLOCK_FLOPS, costs.block(2).flops());
    assertEquals(false, costs.block(2).measured());
  }

  @Test
  public void executorCostsChargeWhatTheExecutorExpectsToKeepResident() {
    BundleManifest manifest = FakeBundle.manifest(3);
    BlockExecutor copiesWeights = new BlockExecutor() {
      @Override
      public String name() {
        return "copies-weights";
      }

      @Override
      public LoadedGraph load(BundleManifest.Graph graph, java.nio.ByteBuffer model) {
        throw new UnsupportedOperationException();
      }

      @Override
      public long residentBytesEstimate(BundleManifest.Graph graph) {
        return graph.minimumResidentBytes() + 1000;
      }

      @Override
      public void close() {}
    };
    GraphCosts manifestOnly = GraphCosts.fromManifest(manifest);
    GraphCosts onExecutor = GraphCosts.forExecutor(manifest, copiesWeights);
    assertEquals(manifestOnly.block(2).memoryBytes() + 1000, onExecutor.block(2).memoryBytes());
    assertEquals(manifestOnly.stem().memoryBytes() + 1000, onExecutor.stem().memoryBytes());
    assertEquals(manifestOnly.head().memoryBytes() + 1000, onExecutor.head().memoryBytes());
  }

  private static void assertInvalid(Runnable r) {
    try {
      r.run();
      fail("expected IllegalArgumentException");
    } catch (IllegalArgumentException expected) {
      // ok
    }
  }
}
