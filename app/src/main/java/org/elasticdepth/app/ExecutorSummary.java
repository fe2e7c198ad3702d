package org.elasticdepth.app;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.runtime.Classification.Stage;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.ExecutionTarget;

/**
 * One line saying where a classification actually ran, e.g. {@code "GPU"}, {@code "CPU (XNNPACK, 4
 * threads)"} or {@code "GPU; 2 of 6 graphs on CPU (GPU refused: unsupported op)"}: what the user
 * asked for matters less than what the delegates accepted.
 */
public final class ExecutorSummary {
  private ExecutorSummary() {}

  public static String describe(List<Stage> stages) {
    // Each graph once (the head runs after several layers but is one graph).
    Map<String, ExecutionTarget> graphs = new LinkedHashMap<>();
    for (Stage s : stages) {
      String key = s.kind() == org.elasticdepth.runtime.Classification.StageKind.BLOCK ? "block" + s.layer() : s.kind().name();
      graphs.putIfAbsent(key, s.target());
    }
    if (graphs.isEmpty()) {
      return "";
    }
    Map<Accelerator, Integer> counts = new LinkedHashMap<>();
    ExecutionTarget firstFallback = null;
    for (ExecutionTarget t : graphs.values()) {
      counts.merge(t.accelerator(), 1, Integer::sum);
      if (t.fellBack() && firstFallback == null) {
        firstFallback = t;
      }
    }
    Accelerator main = null;
    for (Map.Entry<Accelerator, Integer> e : counts.entrySet()) {
      if (main == null || e.getValue() > counts.get(main)) {
        main = e.getKey();
      }
    }
    StringBuilder text = new StringBuilder();
    if (counts.size() == 1 && firstFallback == null) {
      ExecutionTarget any = graphs.values().iterator().next();
      text.append(main).append(" (").append(any.detail()).append(')');
      return text.toString();
    }
    text.append(main);
    for (Map.Entry<Accelerator, Integer> e : counts.entrySet()) {
      if (e.getKey() != main) {
        text.append("; ").append(e.getValue()).append(" of ").append(graphs.size()).append(" graphs on ").append(e.getKey());
      }
    }
    if (firstFallback != null) {
      text.append(" (").append(firstFallback.requested()).append(" refused: ").append(firstFallback.fallbackReason()).append(')');
    }
    return text.toString();
  }
}
