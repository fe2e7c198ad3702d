package org.elasticdepth.runtime;

import java.util.Locale;
import java.util.Objects;
import org.elasticdepth.runtime.DepthPlan.Constraint;
import org.elasticdepth.runtime.bundle.BundleManifest.MinimalDepth;

/**
 * Picks the deepest depth that fits a {@link Budget}. Pure logic: no I/O, no state, thread-safe.
 *
 * <p>For depth {@code d} the plan needs
 *
 * <ul>
 *   <li>memory: stem + head + blocks 1..d ({@link GraphCost#memoryBytes()}), since those are the
 *       graphs kept loaded;
 *   <li>latency (worst case, no input exits early): stem + blocks 1..d + the head once per block
 *       when it runs after every block (early exit on), else once.
 * </ul>
 *
 * Both grow with {@code d}, so the answer is the largest {@code d} within {@code min(L,
 * budget.maxDepth, thermal cap)} that fits both. If even {@code d = 1} does not fit, there is no
 * useful plan and {@link #plan} throws a {@link BudgetException}.
 *
 * <p>When the caller gives no budget at all (no memory, latency or depth limit) and the bundle
 * knows the task's {@link MinimalDepth}, that depth is the default cap instead of {@code L}: a
 * deployment never needs more layers than the task does. Any memory, latency or depth limit the
 * caller gives replaces it ({@code budget.withMaxDepth(L)} asks for full depth); thermal caps
 * still apply.
 *
 * <p>A graph's latency is its {@link GraphCost#measuredNanos() measured} value when there is one.
 * Otherwise it is estimated from FLOPs: at the throughput the measured blocks achieved (blocks of
 * one ViT are alike), or, before anything was measured, at the assumed throughput ({@link
 * #DEFAULT_FLOPS_PER_SECOND} unless given).
 */
public final class DepthPlanner {
  /**
   * Throughput assumed for graphs nobody has measured yet: 2 GFLOP/s, a conservative figure for
   * fp32 XNNPACK on one mid-range phone core. Warm-up replaces it with measurements.
   */
  public static final double DEFAULT_FLOPS_PER_SECOND = 2e9;

  private final double assumedFlopsPerSecond;

  public DepthPlanner() {
    this(DEFAULT_FLOPS_PER_SECOND);
  }

  public DepthPlanner(double assumedFlopsPerSecond) {
    if (!(assumedFlopsPerSecond > 0) || Double.isInfinite(assumedFlopsPerSecond)) {
      throw new IllegalArgumentException("assumedFlopsPerSecond must be a positive finite number, got " + assumedFlopsPerSecond);
    }
    this.assumedFlopsPerSecond = assumedFlopsPerSecond;
  }

  /**
   * @param headAfterEveryBlock whether the head runs after every block (early exit or per-layer
   *     evaluation on) rather than once at the planned depth
   * @throws BudgetException if stem + block 1 + head exceed the memory or latency budget
   */
  public DepthPlan plan(Budget budget, GraphCosts costs, boolean headAfterEveryBlock) {
    return plan(budget, costs, headAfterEveryBlock, null);
  }

  /**
   * Like {@link #plan(Budget, GraphCosts, boolean)}, with the task's minimal depth ({@code null}
   * when the bundle has none) as the default cap when {@code budget} limits nothing.
   */
  public DepthPlan plan(Budget budget, GraphCosts costs, boolean headAfterEveryBlock, MinimalDepth minimalDepth) {
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(costs, "costs");
    int modelDepth = costs.depth();
    double flopsPerNano = flopsPerNano(costs);
    long latencyBudget = budget.limitsLatency() ? (long) Math.floor(budget.latencyMillis() * 1e6) : Long.MAX_VALUE;

    int cap = modelDepth;
    Constraint capBy = Constraint.NONE;
    if (budget.maxDepth() < cap) {
      cap = budget.maxDepth();
      capBy = Constraint.MAX_DEPTH;
    }
    boolean noBudgetGiven = !budget.limitsMemory() && !budget.limitsLatency() && budget.maxDepth() == Integer.MAX_VALUE;
    if (noBudgetGiven && minimalDepth != null && minimalDepth.depth() < cap) {
      cap = Math.max(1, minimalDepth.depth());
      capBy = Constraint.MINIMAL_DEPTH;
    }
    int thermalCap = budget.thermal().depthCap(modelDepth);
    if (thermalCap < cap) {
      cap = thermalCap;
      capBy = Constraint.THERMAL;
    }

    // Accumulate depth 1, then add block by block while both budgets hold.
    long memory = sum(sum(costs.stem().memoryBytes(), costs.head().memoryBytes()), costs.block(1).memoryBytes());
    long latency = sum(sum(nanos(costs.stem(), flopsPerNano), nanos(costs.head(), flopsPerNano)), nanos(costs.block(1), flopsPerNano));
    if (memory > budget.memoryBytes()) {
      throw new BudgetException(Constraint.MEMORY, "memory budget " + Units.bytes(budget.memoryBytes())
          + " is below the minimum this bundle needs: stem + block 1 + head = " + Units.bytes(memory));
    }
    if (latency > latencyBudget) {
      throw new BudgetException(Constraint.LATENCY, "latency budget " + Units.millis(latencyBudget)
          + " is below the minimum this bundle needs: stem + block 1 + head = " + Units.millis(latency) + estimateNote(costs));
    }
    int depth = 1;
    Constraint limitedBy = capBy;
    String why = null;
    while (depth < cap) {
      GraphCost next = costs.block(depth + 1);
      long nextMemory = sum(memory, next.memoryBytes());
      long nextLatency = sum(sum(latency, nanos(next, flopsPerNano)), headAfterEveryBlock ? nanos(costs.head(), flopsPerNano) : 0);
      if (nextMemory > budget.memoryBytes()) {
        limitedBy = Constraint.MEMORY;
        why = "block " + (depth + 1) + " would raise memory to " + Units.bytes(nextMemory)
            + ", over the " + Units.bytes(budget.memoryBytes()) + " budget";
        break;
      }
      if (nextLatency > latencyBudget) {
        limitedBy = Constraint.LATENCY;
        why = "block " + (depth + 1) + " would raise the worst-case latency to " + Units.millis(nextLatency)
            + ", over the " + Units.millis(latencyBudget) + " budget" + estimateNote(costs);
        break;
      }
      depth++;
      memory = nextMemory;
      latency = nextLatency;
    }
    if (why == null) {
      why = switch (limitedBy) {
        case NONE -> "full depth fits";
        case MAX_DEPTH -> "capped by the requested maxDepth " + budget.maxDepth();
        case MINIMAL_DEPTH -> String.format(Locale.ROOT, "capped at the task's minimal depth: layer %d is within %s points of "
            + "full-depth accuracy on validation (no budget given; withMaxDepth(%d) for full depth)",
            cap, minimalDepth.dropInPoints(), modelDepth);
        case THERMAL -> "capped to " + thermalCap + " by thermal level " + budget.thermal();
        default -> throw new AssertionError(limitedBy);
      };
    }
    String reason = String.format(Locale.ROOT, "depth %d of %d: %s (needs %s, %s)",
        depth, modelDepth, why, Units.bytes(memory), Units.millis(latency));
    return new DepthPlan(depth, modelDepth, limitedBy, reason, memory, latency, budget);
  }

  /**
   * Each graph's latency as {@link #plan} counts it (measured, else estimated from FLOPs), plus
   * {@code overheadNanos} per classification: the input of a {@link LatencyPlanner}.
   */
  StageTimes stageTimes(GraphCosts costs, long overheadNanos) {
    double flopsPerNano = flopsPerNano(costs);
    long[] blocks = new long[costs.depth()];
    for (int l = 1; l <= blocks.length; l++) {
      blocks[l - 1] = nanos(costs.block(l), flopsPerNano);
    }
    return new StageTimes(nanos(costs.stem(), flopsPerNano), blocks, nanos(costs.head(), flopsPerNano), overheadNanos);
  }

  private double flopsPerNano(GraphCosts costs) {
    long flops = 0;
    long nanos = 0;
    for (GraphCost b : costs.blocks()) {
      if (b.measured() && b.flops() > 0) {
        flops = sum(flops, b.flops());
        nanos = sum(nanos, b.measuredNanos());
      }
    }
    return flops > 0 && nanos > 0 ? (double) flops / nanos : assumedFlopsPerSecond / 1e9;
  }

  /** a + b for non-negative costs, saturating at Long.MAX_VALUE: an overflow must never look cheap. */
  private static long sum(long a, long b) {
    long s = a + b;
    return s < 0 ? Long.MAX_VALUE : s;
  }

  private static long nanos(GraphCost cost, double flopsPerNano) {
    return cost.measured() ? cost.measuredNanos() : (long) Math.ceil(cost.flops() / flopsPerNano);
  }

  private static String estimateNote(GraphCosts costs) {
    boolean allMeasured = costs.stem().measured() && costs.head().measured()
        && costs.blocks().stream().allMatch(GraphCost::measured);
    return allMeasured ? "" : " (partly estimated from FLOPs)";
  }
}
