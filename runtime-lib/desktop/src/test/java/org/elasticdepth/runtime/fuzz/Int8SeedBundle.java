package org.elasticdepth.runtime.fuzz;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.bundle.Sha256;
import org.elasticdepth.runtime.bundle.graph.QuantizedGraphs;
import org.elasticdepth.runtime.bundle.graph.TinyGraphs;

/**
 * A fuzzing seed with quantized graphs: the app's default bundle with every block replaced by a
 * hand-built quantized block of the same signature ({@link QuantizedGraphs#block}: int8, a 16x8
 * island and a float island), the manifest's sizes and hashes fixed. Mutations of its graphs reach
 * quantization tables, int8/int16/int64 constants and the versions of quantized operators.
 */
final class Int8SeedBundle {
  private Int8SeedBundle() {}

  /** Writes the seed bundle into {@code dir} (created) and returns it. */
  static File write(File appBundle, Path dir) throws IOException {
    Map<String, byte[]> files = BundleFuzzer.read(appBundle);
    JsonObject manifest = JsonParser.parseString(new String(files.get(BundleManifest.FILE_NAME), StandardCharsets.UTF_8)).getAsJsonObject();
    for (JsonElement element : manifest.getAsJsonObject("graphs").getAsJsonArray("blocks")) {
      JsonObject block = element.getAsJsonObject();
      Tensor in = tensor(block.getAsJsonArray("inputs").get(0).getAsJsonObject());
      List<Tensor> out = List.of(tensor(block.getAsJsonArray("outputs").get(0).getAsJsonObject()),
          tensor(block.getAsJsonArray("outputs").get(1).getAsJsonObject()));
      byte[] graph = TinyGraphs.pack(QuantizedGraphs.block(in, out));
      files.put(block.get("file").getAsString(), graph);
      block.addProperty("bytes", graph.length);
      block.addProperty("sha256", Sha256.hex(graph));
    }
    files.put(BundleManifest.FILE_NAME, manifest.toString().getBytes(StandardCharsets.UTF_8));
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
    return dir.toFile();
  }

  private static Tensor tensor(JsonObject json) {
    int[] shape = new int[json.getAsJsonArray("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = json.getAsJsonArray("shape").get(i).getAsInt();
    }
    return new Tensor(json.get("name").getAsString(), shape);
  }
}
