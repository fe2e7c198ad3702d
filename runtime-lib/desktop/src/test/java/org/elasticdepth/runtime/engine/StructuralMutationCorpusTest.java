package org.elasticdepth.runtime.engine;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.ElasticClassifier.Options;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.Sha256;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException;
import org.elasticdepth.runtime.bundle.graph.InvalidGraphException.Rule;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.ReshapeOptionsT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;

/**
 * The structural damage that crashed the JVM or made TFLite allocate gigabytes (issue 14), each
 * applied to block 2 of the tiny fixture with the manifest's SHA-256 and size fixed up, so only
 * the graph's structure can give it away: every one must end in an {@link InvalidGraphException}
 * naming the file, the operator and the rule, on the full path (open, create on XNNPACK, classify).
 * Without the validator these reach TFLite: the rewirings and the MEAN over tensor -1 segfault in
 * XNNPACK, the weight-shape lie corrupts the heap on the first run.
 */
public class StructuralMutationCorpusTest {
  private static final String BLOCK = "block_02.tflite";
  private static DesktopExecutor tflite;
  private static Map<String, byte[]> good;

  @BeforeClass
  public static void setUp() {
    tflite = DesktopExecutor.create(); // XNNPACK on
    good = TestBundles.bytes(TestBundles.TINY);
  }

  @AfterClass
  public static void tearDown() {
    tflite.close();
  }

  @Test
  public void operatorInputRewiredOutOfRange() {
    expect(g -> firstOp(g, BuiltinOperator.FULLY_CONNECTED).getInputs()[0] = g.getSubgraphs()[0].getTensors().length + 7,
        Rule.TENSOR_INDEX);
  }

  @Test
  public void operatorInputRewiredToATensorWrittenLater() {
    expect(g -> {
      SubGraphT s = g.getSubgraphs()[0];
      OperatorT last = s.getOperators()[s.getOperators().length - 1];
      firstOp(g, BuiltinOperator.FULLY_CONNECTED).getInputs()[0] = last.getOutputs()[0];
    }, Rule.DATAFLOW);
  }

  @Test
  public void operatorInputRewiredToATensorOfAnotherShape() {
    // The first FULLY_CONNECTED reads its bias (a [D] constant) as its input instead of the normed tokens.
    expect(g -> {
      OperatorT fc = firstOp(g, BuiltinOperator.FULLY_CONNECTED);
      fc.getInputs()[0] = fc.getInputs()[2];
    }, Rule.SHAPE_INFERENCE);
  }

  @Test
  public void operatorOutputRewiredOntoTheGraphInput() {
    expect(g -> firstOp(g, BuiltinOperator.ADD).getOutputs()[0] = g.getSubgraphs()[0].getInputs()[0], Rule.DATAFLOW);
  }

  @Test
  public void operatorOutputRewiredOntoAnEarlierOutput() {
    expect(g -> {
      SubGraphT s = g.getSubgraphs()[0];
      s.getOperators()[3].getOutputs()[0] = s.getOperators()[1].getOutputs()[0];
    }, Rule.DATAFLOW);
  }

  @Test
  public void meanOverTensorMinusOne() {
    expect(g -> firstOp(g, BuiltinOperator.MEAN).getInputs()[0] = -1, Rule.TENSOR_INDEX);
  }

  @Test
  public void fullyConnectedWeightShapeLieOverTheRealBuffer() {
    // The issue's [64,2] over a buffer for [64,128]: here [D_out, 2] over the buffer of [D_out, D_in].
    expect(g -> weightOfFirstFullyConnected(g).getShape()[1] = 2, Rule.BUFFER);
  }

  @Test
  public void fullyConnectedWeightShapeLieWithAMatchingBuffer() {
    // The same lie with the buffer cut to fit: only shape inference can see that [D_out, 2] does not take D_in inputs.
    expect(g -> {
      TensorT weight = weightOfFirstFullyConnected(g);
      weight.getShape()[1] = 2;
      var buffer = g.getBuffers()[(int) weight.getBuffer()];
      buffer.setData(java.util.Arrays.copyOf(buffer.getData(), weight.getShape()[0] * 2 * Float.BYTES));
    }, Rule.SHAPE_INFERENCE);
  }

  @Test
  public void hugeDimensionInOneInt32() {
    // One int32 of a declared activation shape: TFLite would size the arena from it (about 4 GB).
    expect(g -> {
      SubGraphT s = g.getSubgraphs()[0];
      TensorT t = s.getTensors()[firstOp(g, BuiltinOperator.MEAN).getOutputs()[0]];
      t.getShape()[t.getShape().length - 1] = 1 << 28;
    }, Rule.TENSOR_SHAPE);
  }

  @Test
  public void hugeButConsistentReshapeIsStillInferred() {
    // A RESHAPE constant (and its new_shape option) changed to a huge shape: the element count no longer matches.
    expect(g -> {
      OperatorT reshape = firstOp(g, BuiltinOperator.RESHAPE);
      TensorT shape = g.getSubgraphs()[0].getTensors()[reshape.getInputs()[1]];
      int[] data = g.getBuffers()[(int) shape.getBuffer()].getData();
      data[3] = 0x10; // first dimension 1 -> 1 + 2^28
      ReshapeOptionsT options = (ReshapeOptionsT) reshape.getBuiltinOptions().getValue();
      int[] newShape = options.getNewShape();
      newShape[0] = 1 + (1 << 28);
      options.setNewShape(newShape);
    }, Rule.SHAPE_INFERENCE);
  }

  @Test
  public void unmodifiedRoundTripIsAccepted() {
    // Control: unpacking and repacking alone changes nothing the validator cares about.
    assertEquals(null, attempt(fixedUp(mutate(g -> { }))));
  }

  // ---------------------------------------------------------------- helpers

  private static void expect(Consumer<ModelT> mutation, Rule rule) {
    RuntimeException e = attempt(fixedUp(mutate(mutation)));
    assertTrue("expected InvalidGraphException, got " + e, e instanceof InvalidGraphException);
    InvalidGraphException invalid = (InvalidGraphException) e;
    assertEquals(e.getMessage(), BLOCK, invalid.file());
    assertEquals(e.getMessage(), rule, invalid.rule());
    assertTrue(e.getMessage(), e.getMessage().startsWith(BLOCK) && e.getMessage().length() < 400);
  }

  private static byte[] mutate(Consumer<ModelT> mutation) {
    ModelT model = Model.getRootAsModel(ByteBuffer.wrap(good.get(BLOCK))).unpack();
    // unpack() turns absent vectors into empty ones; absent they were, absent they stay.
    model.setMetadataBuffer(null);
    model.setMetadata(null);
    for (TensorT t : model.getSubgraphs()[0].getTensors()) {
      t.setShapeSignature(null);
      t.setVariantTensors(null);
    }
    for (OperatorT op : model.getSubgraphs()[0].getOperators()) {
      op.setCustomOptions(null);
      op.setMutatingVariableInputs(null);
      op.setIntermediates(null);
    }
    mutation.accept(model);
    FlatBufferBuilder fbb = new FlatBufferBuilder(good.get(BLOCK).length + 1024);
    fbb.finish(Model.pack(fbb, model), "TFL3");
    return fbb.sizedByteArray();
  }

  /** The bundle with block 2 replaced and the manifest's size and SHA-256 made to agree. */
  private static Map<String, ByteBuffer> fixedUp(byte[] block) {
    JsonObject manifest = JsonParser.parseString(new String(good.get(BundleManifest.FILE_NAME), StandardCharsets.UTF_8))
        .getAsJsonObject();
    for (var b : manifest.getAsJsonObject("graphs").getAsJsonArray("blocks")) {
      JsonObject entry = b.getAsJsonObject();
      if (entry.get("file").getAsString().equals(BLOCK)) {
        entry.addProperty("bytes", block.length);
        entry.addProperty("sha256", Sha256.hex(block));
      }
    }
    Map<String, ByteBuffer> files = new LinkedHashMap<>();
    good.forEach((name, bytes) -> files.put(name, ByteBuffer.wrap(bytes)));
    files.put(BLOCK, ByteBuffer.wrap(block));
    files.put(BundleManifest.FILE_NAME, ByteBuffer.wrap(manifest.toString().getBytes(StandardCharsets.UTF_8)));
    return files;
  }

  private static RuntimeException attempt(Map<String, ByteBuffer> files) {
    try (ElasticClassifier c = ElasticClassifier.fromBuffers(files, tflite, Options.builder().setWarmUpRuns(1).build())) {
      c.classify(new float[c.manifest().input().elementCount()]);
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  private static OperatorT firstOp(ModelT model, int builtin) {
    for (OperatorT op : model.getSubgraphs()[0].getOperators()) {
      if (model.getOperatorCodes()[(int) op.getOpcodeIndex()].getBuiltinCode() == builtin) {
        return op;
      }
    }
    throw new AssertionError("no " + BuiltinOperator.name(builtin) + " in " + BLOCK);
  }

  private static TensorT weightOfFirstFullyConnected(ModelT model) {
    return model.getSubgraphs()[0].getTensors()[firstOp(model, BuiltinOperator.FULLY_CONNECTED).getInputs()[1]];
  }
}
