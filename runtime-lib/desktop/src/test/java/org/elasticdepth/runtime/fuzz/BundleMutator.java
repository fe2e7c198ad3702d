package org.elasticdepth.runtime.fuzz;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.Sha256;

/**
 * Seeded mutations of a good bundle: case {@code i} of seed {@code s} is always the same bytes, so
 * a crash seen in a forked JVM can be written out again by the process that watched it die.
 *
 * <p>Even cases mutate manifest.json's bytes (bit flips, numbers swapped for extreme ones, chunks
 * deleted or duplicated). Odd cases mutate one graph (bit flips, interesting int32 values over
 * small integers, which are mostly tensor indices, shapes and opcodes, byte runs, copied chunks,
 * truncation, growth) and then fix the manifest's {@code sha256} and {@code bytes} for it, so only
 * the graph's structure can give it away.
 */
public final class BundleMutator {
  private static final int[] INTERESTING_INTS = {
    -1, 0, 1, 2, 3, 4, 7, 15, 16, 17, 63, 64, 65, 127, 128, 255, 256, 1024, 4096, 65535, 65536,
    1 << 20, 1 << 24, 1 << 27, 1 << 28, 1 << 30, Integer.MAX_VALUE, Integer.MIN_VALUE, -2, -128
  };
  private static final String[] INTERESTING_NUMBERS = {
    "0", "-1", "1", "2147483647", "2147483648", "-2147483648", "9223372036854775807", "1e39", "-1e39", "1e-45",
    "NaN", "Infinity", "134217728", "46341", "-0", "0.5", "99999999999999999999", "3.4028235e38", "1e308", "65536"
  };

  /** One mutated bundle: the files that differ from the good bundle, and what was done. */
  public record Mutant(Map<String, byte[]> files, String description) {}

  private final Map<String, byte[]> good;
  private final List<String> graphFiles = new ArrayList<>();
  private final long seed;

  public BundleMutator(Map<String, byte[]> good, long seed) {
    this.good = good;
    this.seed = seed;
    JsonObject graphs = manifest().getAsJsonObject("graphs");
    for (String key : List.of("stem", "head", "full")) {
      if (graphs.has(key)) {
        graphFiles.add(graphs.getAsJsonObject(key).get("file").getAsString());
      }
    }
    for (JsonElement b : graphs.getAsJsonArray("blocks")) {
      graphFiles.add(b.getAsJsonObject().get("file").getAsString());
    }
  }

  public Mutant mutant(long index) {
    Random random = new Random(seed * 0x9E3779B97F4A7C15L + index);
    return index % 2 == 0 ? manifestMutant(random) : graphMutant(random);
  }

  // ---------------------------------------------------------------- manifest.json

  private Mutant manifestMutant(Random random) {
    byte[] json = good.get(BundleManifest.FILE_NAME);
    StringBuilder what = new StringBuilder("manifest:");
    int rounds = 1 + random.nextInt(3);
    for (int r = 0; r < rounds; r++) {
      switch (random.nextInt(5)) {
        case 0 -> {
          int at = random.nextInt(json.length);
          json = json.clone();
          json[at] ^= (byte) (1 << random.nextInt(8));
          what.append(" flip@").append(at);
        }
        case 1, 2 -> {
          String text = new String(json, StandardCharsets.UTF_8);
          int start = numberStart(text, random.nextInt(text.length()));
          if (start >= 0) {
            int end = start;
            while (end < text.length() && "+-0123456789.eE".indexOf(text.charAt(end)) >= 0) {
              end++;
            }
            String number = INTERESTING_NUMBERS[random.nextInt(INTERESTING_NUMBERS.length)];
            json = (text.substring(0, start) + number + text.substring(end)).getBytes(StandardCharsets.UTF_8);
            what.append(" number@").append(start).append('=').append(number);
          }
        }
        case 3 -> {
          int from = random.nextInt(json.length);
          int length = Math.min(json.length - from, 1 + random.nextInt(64));
          byte[] cut = new byte[json.length - length];
          System.arraycopy(json, 0, cut, 0, from);
          System.arraycopy(json, from + length, cut, from, json.length - from - length);
          json = cut;
          what.append(" delete@").append(from).append('+').append(length);
        }
        default -> {
          int from = random.nextInt(json.length);
          int length = Math.min(json.length - from, 1 + random.nextInt(256));
          int to = random.nextInt(json.length);
          byte[] grown = new byte[json.length + length];
          System.arraycopy(json, 0, grown, 0, to);
          System.arraycopy(json, from, grown, to, length);
          System.arraycopy(json, to, grown, to + length, json.length - to);
          json = grown;
          what.append(" duplicate@").append(from).append('+').append(length).append("->").append(to);
        }
      }
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(BundleManifest.FILE_NAME, json);
    return new Mutant(files, what.toString());
  }

  /** The start of the number around {@code at}, or the next one after it, or -1. */
  private static int numberStart(String text, int at) {
    for (int i = at; i < text.length(); i++) {
      if (Character.isDigit(text.charAt(i))) {
        int start = i;
        while (start > 0 && "+-0123456789.eE".indexOf(text.charAt(start - 1)) >= 0) {
          start--;
        }
        return start;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------- graphs

  private Mutant graphMutant(Random random) {
    // full.tflite is opened and validated but never run by the classifier: mutate it less often.
    String file = graphFiles.get(random.nextInt(graphFiles.size()));
    if (file.startsWith("full") && random.nextInt(4) != 0) {
      file = graphFiles.get(0);
    }
    byte[] bytes = good.get(file).clone();
    StringBuilder what = new StringBuilder("graph ").append(file).append(':');
    int rounds = 1 + random.nextInt(random.nextInt(4) == 0 ? 8 : 2);
    for (int r = 0; r < rounds; r++) {
      int choice = random.nextInt(10);
      if (choice < 4) {
        int at = smallIntPosition(bytes, random);
        int value = random.nextInt(3) == 0 ? intAt(bytes, at) + random.nextInt(5) - 2 : INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)];
        putInt(bytes, at, value);
        what.append(" int@").append(at).append('=').append(value);
      } else if (choice < 6) {
        int at = random.nextInt(bytes.length);
        bytes[at] ^= (byte) (1 << random.nextInt(8));
        what.append(" flip@").append(at);
      } else if (choice < 7) {
        int at = random.nextInt(bytes.length);
        int length = Math.min(bytes.length - at, 1 + random.nextInt(16));
        for (int i = 0; i < length; i++) {
          bytes[at + i] = (byte) random.nextInt(256);
        }
        what.append(" bytes@").append(at).append('+').append(length);
      } else if (choice < 8) {
        int from = random.nextInt(bytes.length) & ~3;
        int to = random.nextInt(bytes.length) & ~3;
        int length = Math.min(Math.min(bytes.length - from, bytes.length - to), 4 + random.nextInt(64));
        System.arraycopy(bytes.clone(), from, bytes, to, length);
        what.append(" copy@").append(from).append("->").append(to).append('+').append(length);
      } else if (choice < 9) {
        int length = 1 + random.nextInt(bytes.length - 1);
        bytes = Arrays.copyOf(bytes, length);
        what.append(" truncate=").append(length);
      } else {
        int extra = 1 + random.nextInt(64);
        byte[] grown = Arrays.copyOf(bytes, bytes.length + extra);
        for (int i = bytes.length; i < grown.length; i++) {
          grown[i] = (byte) random.nextInt(256);
        }
        bytes = grown;
        what.append(" grow+").append(extra);
      }
    }
    JsonObject manifest = manifest();
    JsonObject entry = entry(manifest, file);
    entry.addProperty("bytes", bytes.length);
    entry.addProperty("sha256", Sha256.hex(bytes));
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(file, bytes);
    files.put(BundleManifest.FILE_NAME, manifest.toString().getBytes(StandardCharsets.UTF_8));
    return new Mutant(files, what.toString());
  }

  /** A 4-aligned position holding a small integer (-1..4096), most likely an index, a shape or a code. */
  private static int smallIntPosition(byte[] bytes, Random random) {
    int words = bytes.length / 4;
    for (int attempt = 0; attempt < 64; attempt++) {
      int at = 4 * random.nextInt(Math.max(1, words));
      int v = intAt(bytes, at);
      if (v >= -1 && v <= 4096) {
        return at;
      }
    }
    return 4 * random.nextInt(Math.max(1, words));
  }

  private static int intAt(byte[] bytes, int at) {
    return at + 4 <= bytes.length ? ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(at) : 0;
  }

  private static void putInt(byte[] bytes, int at, int value) {
    if (at + 4 <= bytes.length) {
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    }
  }

  private JsonObject manifest() {
    return JsonParser.parseString(new String(good.get(BundleManifest.FILE_NAME), StandardCharsets.UTF_8)).getAsJsonObject();
  }

  private static JsonObject entry(JsonObject manifest, String file) {
    JsonObject graphs = manifest.getAsJsonObject("graphs");
    for (String key : List.of("stem", "head", "full")) {
      if (graphs.has(key) && graphs.getAsJsonObject(key).get("file").getAsString().equals(file)) {
        return graphs.getAsJsonObject(key);
      }
    }
    for (JsonElement b : graphs.getAsJsonArray("blocks")) {
      if (b.getAsJsonObject().get("file").getAsString().equals(file)) {
        return b.getAsJsonObject();
      }
    }
    throw new IllegalArgumentException(file);
  }
}
