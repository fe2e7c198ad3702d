package org.elasticdepth.runtime;

/**
 * The planner's decision: run blocks 1..{@code depth} of {@code modelDepth}, and why.
 *
 * @param depth planned depth, 1..modelDepth
 * @param modelDepth the bundle's depth L
 * @param limitedBy the constraint that stopped the plan from going one block deeper ({@link
 *     Constraint#NONE} at full depth)
 * @param reason one human-readable sentence, for logs and the demo's overlay
 * @param memoryBytes estimated resident bytes of stem + blocks 1..depth + head
 * @param latencyNanos estimated worst-case latency of one classification at this depth (no early exit)
 * @param budget the budget the plan was made for
 * @param precision which of the bundle's precisions is planned and loaded, and why; null for a plan
 *     made outside a classifier (e.g. by {@link DepthPlanner} alone)
 */
public record DepthPlan(
    int depth, int modelDepth, Constraint limitedBy, String reason, long memoryBytes, long latencyNanos, Budget budget,
    PrecisionChoice precision) {

  /** A plan without a precision choice: what {@link DepthPlanner} makes. */
  public DepthPlan(int depth, int modelDepth, Constraint limitedBy, String reason, long memoryBytes, long latencyNanos,
      Budget budget) {
    this(depth, modelDepth, limitedBy, reason, memoryBytes, latencyNanos, budget, null);
  }

  /** This plan, made for the graphs of {@code choice}. */
  public DepthPlan withPrecision(PrecisionChoice choice) {
    return new DepthPlan(depth, modelDepth, limitedBy, reason, memoryBytes, latencyNanos, budget, choice);
  }

  /** What bounds a plan. */
  public enum Constraint {
    /** Nothing: the plan is the model's full depth. */
    NONE,
    /** The caller's {@link Budget#maxDepth()}. */
    MAX_DEPTH,
    /**
     * The task's minimal depth from the bundle's calibration, the default cap when the caller gave
     * no budget (no memory, latency or depth limit).
     */
    MINIMAL_DEPTH,
    /** The device's {@link ThermalLevel}. */
    THERMAL,
    /** {@link Budget#memoryBytes()}. */
    MEMORY,
    /** {@link Budget#latencyMillis()}. */
    LATENCY
  }

  public boolean fullDepth() {
    return depth == modelDepth;
  }

  @Override
  public String toString() {
    return precision == null ? reason : reason + " (" + precision.precision().label() + ")";
  }
}
