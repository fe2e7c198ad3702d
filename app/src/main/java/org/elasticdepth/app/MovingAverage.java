package org.elasticdepth.app;

/** The mean of the last {@code window} values: the per-frame latency the screen shows. Not thread-safe. */
public final class MovingAverage {
  private final double[] values;
  private int count;
  private int next;
  private double sum;

  public MovingAverage(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1, got " + window);
    }
    values = new double[window];
  }

  public void add(double value) {
    if (count == values.length) {
      sum -= values[next];
    } else {
      count++;
    }
    values[next] = value;
    sum += value;
    next = (next + 1) % values.length;
  }

  /** How many values the mean covers (at most the window). */
  public int count() {
    return count;
  }

  /** The mean, or NaN before the first value. */
  public double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }

  public void clear() {
    count = 0;
    next = 0;
    sum = 0;
  }
}
