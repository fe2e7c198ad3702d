package org.elasticdepth.exporter.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.util.List;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.SignatureDef;
import org.tensorflow.lite.schema.SignatureDefT;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.SubGraphT;

/**
 * Serialises one graph into a .tflite flatbuffer: the only place that deals in flatbuffer offsets.
 * Tables come from the schema's object API; constant buffers are written by hand because the
 * object API would store them unaligned and as int arrays.
 */
final class FlatBufferWriter {
  /** TFLite schema version 3, the one every current runtime reads. */
  private static final int SCHEMA_VERSION = 3;
  /** XNNPACK and the GPU delegate read weights in place; 16 bytes keeps SIMD loads aligned. */
  private static final int BUFFER_ALIGNMENT = 16;
  private static final String FILE_IDENTIFIER = "TFL3";

  private FlatBufferWriter() {}

  static byte[] write(String description, List<byte[]> buffers, SubGraphT subgraph, List<OperatorCodeT> opcodes,
      SignatureDefT signature) {
    long payload = buffers.stream().mapToLong(b -> b.length + BUFFER_ALIGNMENT).sum();
    FlatBufferBuilder fbb = new FlatBufferBuilder((int) Math.min(Integer.MAX_VALUE - 8, payload + (1 << 16)));

    // Children before parents: the big constant buffers end up at the back of the file.
    int[] bufferOffsets = new int[buffers.size()];
    for (int i = 0; i < buffers.size(); i++) {
      byte[] bytes = buffers.get(i);
      int data = 0;
      if (bytes.length > 0) {
        ByteBuffer vector = fbb.createUnintializedVector(1, bytes.length, BUFFER_ALIGNMENT);
        vector.put(bytes);
        data = fbb.endVector();
      }
      Buffer.startBuffer(fbb);
      if (data != 0) {
        Buffer.addData(fbb, data);
      }
      bufferOffsets[i] = Buffer.endBuffer(fbb);
    }
    int buffersVector = Model.createBuffersVector(fbb, bufferOffsets);
    int subgraphsVector = Model.createSubgraphsVector(fbb, new int[] {SubGraph.pack(fbb, subgraph)});
    int[] codeOffsets = opcodes.stream().mapToInt(code -> OperatorCode.pack(fbb, code)).toArray();
    int codesVector = Model.createOperatorCodesVector(fbb, codeOffsets);
    int signaturesVector = Model.createSignatureDefsVector(fbb, new int[] {SignatureDef.pack(fbb, signature)});
    int descriptionOffset = fbb.createString(description);

    Model.startModel(fbb);
    Model.addVersion(fbb, SCHEMA_VERSION);
    Model.addOperatorCodes(fbb, codesVector);
    Model.addSubgraphs(fbb, subgraphsVector);
    Model.addDescription(fbb, descriptionOffset);
    Model.addBuffers(fbb, buffersVector);
    Model.addSignatureDefs(fbb, signaturesVector);
    int model = Model.endModel(fbb);
    fbb.finish(model, FILE_IDENTIFIER);
    return fbb.sizedByteArray();
  }
}
