package org.elasticdepth.app;

import static org.junit.Assert.assertEquals;

import java.util.List;
import org.elasticdepth.runtime.Classification.Stage;
import org.elasticdepth.runtime.Classification.StageKind;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.ExecutionTarget;
import org.junit.Test;

public class ExecutorSummaryTest {
  private static final ExecutionTarget GPU = ExecutionTarget.direct(Accelerator.GPU, "GPU delegate, fp16 allowed");
  private static final ExecutionTarget CPU_FALLBACK =
      ExecutionTarget.fallback(Accelerator.CPU, Accelerator.GPU, "XNNPACK, 4 threads", "GATHER not supported");

  @Test
  public void oneAcceleratorShowsItsDetail() {
    List<Stage> stages = List.of(new Stage(StageKind.STEM, 0, 1, GPU), new Stage(StageKind.BLOCK, 1, 1, GPU),
        new Stage(StageKind.HEAD, 1, 1, GPU));
    assertEquals("GPU (GPU delegate, fp16 allowed)", ExecutorSummary.describe(stages));
  }

  @Test
  public void fallbacksAreCountedPerGraphAndExplained() {
    List<Stage> stages = List.of(new Stage(StageKind.STEM, 0, 1, CPU_FALLBACK), new Stage(StageKind.BLOCK, 1, 1, GPU),
        new Stage(StageKind.HEAD, 1, 1, GPU), new Stage(StageKind.BLOCK, 2, 1, GPU), new Stage(StageKind.HEAD, 2, 1, GPU));
    assertEquals("GPU; 1 of 4 graphs on CPU (GPU refused: GATHER not supported)", ExecutorSummary.describe(stages));
  }

  @Test
  public void everythingFellBack() {
    List<Stage> stages = List.of(new Stage(StageKind.STEM, 0, 1, CPU_FALLBACK), new Stage(StageKind.HEAD, 1, 1, CPU_FALLBACK));
    assertEquals("CPU (GPU refused: GATHER not supported)", ExecutorSummary.describe(stages));
  }
}
