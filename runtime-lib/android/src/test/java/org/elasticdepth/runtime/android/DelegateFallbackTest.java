package org.elasticdepth.runtime.android;

import static org.elasticdepth.runtime.spi.Accelerator.CPU;
import static org.elasticdepth.runtime.spi.Accelerator.GPU;
import static org.elasticdepth.runtime.spi.Accelerator.NNAPI;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.ExecutionTarget;
import org.elasticdepth.runtime.spi.GraphException;
import org.junit.Test;

public class DelegateFallbackTest {
  private final List<Accelerator> tried = new ArrayList<>();

  /** An attempt that fails on the accelerators in {@code refusing} with the given error. */
  private DelegateFallback.Attempt<ExecutionTarget> refusing(Accelerator refused, Throwable error) {
    return target -> {
      tried.add(target.accelerator());
      if (target.accelerator() == refused) {
        if (error instanceof Exception e) {
          throw e;
        }
        throw (Error) error;
      }
      return target;
    };
  }

  @Test
  public void theFirstAcceleratorThatWorksIsReportedDirectly() {
    ExecutionTarget target = DelegateFallback.load("block_01.tflite", List.of(GPU, CPU), a -> a + " detail", refusing(null, null));
    assertEquals(List.of(GPU), tried);
    assertEquals(GPU, target.accelerator());
    assertEquals(GPU, target.requested());
    assertEquals("GPU detail", target.detail());
    assertFalse(target.fellBack());
    assertNull(target.fallbackReason());
  }

  @Test
  public void aRefusingDelegateFallsBackToTheCpuAndTheReasonIsRecorded() {
    ExecutionTarget target = DelegateFallback.load("block_03.tflite", List.of(GPU, CPU), a -> a + " detail",
        refusing(GPU, new IllegalArgumentException("Internal error: Failed to apply delegate: GATHER not supported\nmore")));
    assertEquals(List.of(GPU, CPU), tried);
    assertEquals(CPU, target.accelerator());
    assertEquals(GPU, target.requested());
    assertEquals("CPU detail", target.detail());
    assertTrue(target.fellBack());
    assertEquals("GPU: IllegalArgumentException: Internal error: Failed to apply delegate: GATHER not supported ...",
        target.fallbackReason());
  }

  @Test
  public void aMissingNativeLibraryCountsAsARefusal() {
    ExecutionTarget target = DelegateFallback.load("stem.tflite", List.of(NNAPI, CPU), a -> "",
        refusing(NNAPI, new UnsatisfiedLinkError("no libtensorflowlite_nnapi")));
    assertEquals(CPU, target.accelerator());
    assertEquals(NNAPI, target.requested());
    assertEquals("NNAPI: UnsatisfiedLinkError: no libtensorflowlite_nnapi", target.fallbackReason());
  }

  @Test
  public void aGraphThatContradictsItsManifestIsNotRetriedElsewhere() {
    GraphSignatureException wrong = new GraphSignatureException("block_02.tflite output 1 has shape [1, 8]");
    GraphException thrown = assertThrows(GraphException.class,
        () -> DelegateFallback.load("block_02.tflite", List.of(GPU, CPU), a -> "", refusing(GPU, wrong)));
    assertSame(wrong, thrown);
    assertEquals(List.of(GPU), tried);
  }

  @Test
  public void whenEveryAcceleratorRefusesTheErrorNamesEachReason() {
    DelegateFallback.Attempt<ExecutionTarget> allFail = target -> {
      throw new IllegalStateException(target.accelerator() + " broke");
    };
    GraphException e = assertThrows(GraphException.class,
        () -> DelegateFallback.load("head.tflite", List.of(GPU, CPU), a -> "", allFail));
    assertEquals("head.tflite could not be loaded on any accelerator: GPU: IllegalStateException: GPU broke; "
        + "CPU: IllegalStateException: CPU broke", e.getMessage());
  }

  @Test
  public void anUnavailableAcceleratorIsNotTriedButRecordedAsAskedFor() {
    List<String> heard = new ArrayList<>();
    ExecutionTarget target = DelegateFallback.load("block_04.tflite", List.of(GPU, CPU),
        java.util.Map.of(GPU, "the GPU refused an earlier graph of this executor (X)"), a -> a + " detail",
        refusing(null, null), (a, reason) -> heard.add(a + " " + reason));
    assertEquals("GPU is not tried", List.of(CPU), tried);
    assertEquals(CPU, target.accelerator());
    assertEquals(GPU, target.requested());
    assertTrue(target.fellBack());
    assertEquals("GPU: not tried, the GPU refused an earlier graph of this executor (X)", target.fallbackReason());
    assertEquals("only real refusals are reported", List.of(), heard);
  }

  @Test
  public void realRefusalsAreReportedSoTheExecutorCanRememberThem() {
    List<String> heard = new ArrayList<>();
    DelegateFallback.load("stem.tflite", List.of(GPU, CPU), java.util.Map.of(), a -> "",
        refusing(GPU, new IllegalArgumentException("no OpenCL")), (a, reason) -> heard.add(a + " " + reason));
    assertEquals(List.of("GPU IllegalArgumentException: no OpenCL"), heard);
  }

  @Test
  public void describeFallsBackToTheTypeWhenThereIsNoMessage() {
    assertEquals("NullPointerException", DelegateFallback.describe(new NullPointerException()));
  }
}
