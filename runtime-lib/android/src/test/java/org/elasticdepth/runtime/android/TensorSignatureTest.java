package org.elasticdepth.runtime.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.spi.GraphException;
import org.junit.Test;

public class TensorSignatureTest {
  private static final int[] TOKENS = {1, 17, 16};
  private static final int[] FEATURE = {1, 16};
  private final Graph block = new Graph("block_01.tflite", "0".repeat(64), 10, 1, 1,
      List.of(new Tensor("tokens", TOKENS)), List.of(new Tensor("tokens_out", TOKENS), new Tensor("cls", FEATURE)));

  private static TensorSignature f32(String name, int... shape) {
    return new TensorSignature(name, shape, "FLOAT32");
  }

  @Test
  public void matchingTensorsPassWhateverTheirNames() {
    TensorSignature.check(block, List.of(f32("serving_default_x:0", TOKENS)),
        List.of(f32("StatefulPartitionedCall:0", TOKENS), f32("StatefulPartitionedCall:1", FEATURE)));
  }

  @Test
  public void swappedOutputsAreReportedWithBothShapes() {
    GraphException e = assertThrows(GraphException.class, () -> TensorSignature.check(block,
        List.of(f32("x", TOKENS)), List.of(f32("cls", FEATURE), f32("tokens", TOKENS))));
    assertEquals("block_01.tflite output 0 (cls) has shape [1, 16] but the manifest says tokens_out[1, 17, 16]", e.getMessage());
  }

  @Test
  public void aMissingOutputIsReported() {
    GraphException e = assertThrows(GraphException.class,
        () -> TensorSignature.check(block, List.of(f32("x", TOKENS)), List.of(f32("tokens", TOKENS))));
    assertEquals("block_01.tflite has 1 output tensor(s) but the manifest lists 2 [tokens_out[1, 17, 16], cls[1, 16]]",
        e.getMessage());
  }

  @Test
  public void aQuantisedInputIsRejected() {
    GraphException e = assertThrows(GraphException.class, () -> TensorSignature.check(block,
        List.of(new TensorSignature("x", TOKENS, "INT8")), List.of(f32("t", TOKENS), f32("c", FEATURE))));
    assertEquals("block_01.tflite input 0 (x) is INT8 but the runtime exchanges float32 tensors (manifest: tokens[1, 17, 16])",
        e.getMessage());
  }

  @Test
  public void theShapeIsCopied() {
    int[] shape = {1, 2};
    TensorSignature s = f32("x", shape);
    shape[0] = 9;
    s.shape()[1] = 9;
    assertEquals(f32("x", 1, 2), s);
  }
}
