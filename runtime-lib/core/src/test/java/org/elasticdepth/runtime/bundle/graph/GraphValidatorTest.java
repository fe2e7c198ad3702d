package org.elasticdepth.runtime.bundle.graph;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException.Rule;
import org.junit.Test;
import org.tensorflow.lite.schema.MetadataT;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;

public class GraphValidatorTest {
  private static final Tensor IN = new Tensor("tokens", new int[] {1, 5, 4});
  private static final List<Tensor> OUT = List.of(new Tensor("tokens_out", new int[] {1, 5, 4}), new Tensor("cls", new int[] {1, 4}));

  private static Graph spec(byte[] bytes, Tensor in, List<Tensor> out) {
    return new Graph("block_01.tflite", null, 0, 0, 0, List.of(in), out).withContent(bytes);
  }

  @Test
  public void acceptsAValidGraphAndBoundsItsActivations() {
    byte[] bytes = TinyGraphs.graph(IN, OUT, 0);
    GraphStructure s = GraphValidator.validate(spec(bytes, IN, OUT), ByteBuffer.wrap(bytes));
    assertEquals(4, s.operators()); // flatten; reshape; slice + reshape
    // input, flat and first output 80 B (two 64-byte lines each), the slice and the second output 16 B (one line each)
    assertEquals(64 * (2 + 2 + 2 + 1 + 1), s.activationBytes());
  }

  @Test
  public void activationsOverTheHardCapAreRefusedWhateverTheManifestSays() {
    // Consistent shapes, a tiny file: [1, 1024, 1024, 128] float32 is 512 MiB, and the sum as much again.
    Tensor huge = new Tensor("image", new int[] {1, 1024, 1024, 128});
    List<Tensor> out = List.of(new Tensor("doubled", huge.shape()));
    byte[] bytes = TinyGraphs.doubling(huge, "doubled");
    assertTrue(bytes.length < 4096);
    InvalidGraphException e = assertThrows(InvalidGraphException.class,
        () -> GraphValidator.validate(spec(bytes, huge, out), ByteBuffer.wrap(bytes)));
    assertEquals(e.getMessage(), Rule.ARENA, e.rule());
  }

  @Test
  public void fieldsTheFormatNeverWritesAreRefused() {
    ModelT model = Model.getRootAsModel(ByteBuffer.wrap(TinyGraphs.graph(IN, OUT, 0))).unpack();
    MetadataT metadata = new MetadataT();
    metadata.setName("min_runtime_version");
    metadata.setBuffer(0);
    model.setMetadata(new MetadataT[] {metadata});
    FlatBufferBuilder fbb = new FlatBufferBuilder(1024);
    fbb.finish(Model.pack(fbb, model), "TFL3");
    byte[] bytes = fbb.sizedByteArray();
    InvalidGraphException e = assertThrows(InvalidGraphException.class,
        () -> GraphValidator.validate(spec(bytes, IN, OUT), ByteBuffer.wrap(bytes)));
    assertEquals(e.getMessage(), Rule.UNKNOWN_FIELD, e.rule());
  }

  @Test
  public void signatureMustMatchTheManifest() {
    byte[] bytes = TinyGraphs.graph(IN, OUT, 0);
    List<Tensor> renamed = List.of(OUT.get(0), new Tensor("feature", new int[] {1, 4}));
    InvalidGraphException e = assertThrows(InvalidGraphException.class,
        () -> GraphValidator.validate(spec(bytes, IN, renamed), ByteBuffer.wrap(bytes)));
    assertEquals(e.getMessage(), Rule.SIGNATURE, e.rule());
    assertTrue(e.getMessage(), e.getMessage().contains("'cls'") && e.getMessage().contains("'feature'"));
  }

  /**
   * A bit flip in every byte (bits in turn) and every truncation of a graph end in acceptance or an
   * InvalidGraphException: the Java side never throws anything else, whatever the bytes.
   */
  @Test
  public void everyBitFlipAndTruncationIsAcceptedOrTyped() {
    byte[] good = TinyGraphs.graph(IN, OUT, 0);
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < good.length; i++) {
      byte[] bytes = good.clone();
      bytes[i] ^= (byte) (1 << (i % 8));
      if (validates(bytes)) {
        accepted++;
      } else {
        refused++;
      }
      if (validates(java.util.Arrays.copyOf(good, i))) {
        fail("a truncation to " + i + " bytes was accepted");
      }
    }
    assertTrue(accepted + " accepted, " + refused + " refused", refused > accepted);
  }

  private static boolean validates(byte[] bytes) {
    try {
      GraphValidator.validate(spec(bytes, IN, OUT), ByteBuffer.wrap(bytes));
      return true;
    } catch (InvalidGraphException e) {
      assertTrue(e.getMessage(), e.getMessage().length() < 400);
      return false;
    }
  }
}
