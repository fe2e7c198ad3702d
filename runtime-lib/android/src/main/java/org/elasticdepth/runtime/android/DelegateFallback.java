package org.elasticdepth.runtime.android;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.ExecutionTarget;
import org.elasticdepth.runtime.spi.GraphException;

/**
 * The per-graph fallback rule of {@link AndroidExecutor}, kept free of TFLite so it can be tested on
 * the JVM: try each accelerator in order; the first that loads the graph and survives its first
 * inference wins; every refusal before it is recorded in the {@link ExecutionTarget}.
 *
 * <p>A {@link GraphSignatureException} from an attempt means the graph itself is wrong (its
 * tensors contradict the manifest): no accelerator can fix that, so it is rethrown at once.
 */
final class DelegateFallback {
  /**
   * Opens the graph on {@code target.accelerator()}, runs its first inference, and releases whatever
   * it created if that fails. {@code target} is what the result will report if this attempt wins.
   */
  interface Attempt<T> {
    T open(ExecutionTarget target) throws Exception;
  }

  private DelegateFallback() {}

  /**
   * @param graphName for messages
   * @param plan accelerators to try, in order (see {@link AcceleratorPreference#attempts})
   * @param detail describes an accelerator for the result, e.g. "XNNPACK, 4 threads"
   * @return what the first successful attempt opened
   * @throws GraphException if every accelerator refused the graph (naming each refusal), or at once
   *     if an attempt found the graph itself defective
   */
  static <T> T load(String graphName, List<Accelerator> plan, Function<Accelerator, String> detail, Attempt<T> attempt) {
    return load(graphName, plan, Map.of(), detail, attempt, (accelerator, reason) -> {});
  }

  /**
   * As above, but accelerators in {@code unavailable} are not tried: their reason is recorded as if
   * they had refused (so the result still says what was asked for and why it did not run there).
   * {@code onRefusal} hears every accelerator that was tried and refused.
   */
  static <T> T load(String graphName, List<Accelerator> plan, Map<Accelerator, String> unavailable,
      Function<Accelerator, String> detail, Attempt<T> attempt, BiConsumer<Accelerator, String> onRefusal) {
    if (plan.isEmpty()) {
      throw new IllegalArgumentException("no accelerator to try for " + graphName);
    }
    List<String> refusals = new ArrayList<>();
    for (Accelerator accelerator : plan) {
      String notHere = unavailable.get(accelerator);
      if (notHere != null) {
        refusals.add(accelerator + ": not tried, " + notHere);
        continue;
      }
      ExecutionTarget target = refusals.isEmpty()
          ? ExecutionTarget.direct(accelerator, detail.apply(accelerator))
          : ExecutionTarget.fallback(accelerator, plan.get(0), detail.apply(accelerator), String.join("; ", refusals));
      try {
        return attempt.open(target);
      } catch (GraphSignatureException e) {
        throw e;
      } catch (Exception | LinkageError e) {
        // LinkageError: the delegate's native library or classes are missing from the app.
        refusals.add(accelerator + ": " + describe(e));
        onRefusal.accept(accelerator, describe(e));
      }
    }
    throw new GraphException(graphName + " could not be loaded on any accelerator: " + String.join("; ", refusals));
  }

  /** One line naming the failure: its type and message (TFLite's messages can span many lines). */
  static String describe(Throwable e) {
    String message = e.getMessage() == null ? "" : e.getMessage().trim();
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline).trim() + " ...";
    }
    return message.isEmpty() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
  }
}
