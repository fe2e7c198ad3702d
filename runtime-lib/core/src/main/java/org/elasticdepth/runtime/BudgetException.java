package org.elasticdepth.runtime;

/**
 * Not even the shallowest model (stem + block 1 + head) fits the budget. The message names the
 * budget, what the minimum needs and which constraint failed ({@link #constraint()}: {@link
 * DepthPlan.Constraint#MEMORY} or {@link DepthPlan.Constraint#LATENCY}).
 */
public class BudgetException extends ElasticRuntimeException {
  private final DepthPlan.Constraint constraint;

  public BudgetException(DepthPlan.Constraint constraint, String message) {
    super(message);
    this.constraint = constraint;
  }

  public DepthPlan.Constraint constraint() {
    return constraint;
  }
}
