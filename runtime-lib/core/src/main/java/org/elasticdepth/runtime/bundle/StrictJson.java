package org.elasticdepth.runtime.bundle;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.elasticdepth.runtime.bundle.BundleException.Problem;

/**
 * Reads bundle JSON files strictly (RFC 8259 and nothing more): UTF-8 without a byte-order mark,
 * no comments, no single quotes or unquoted names, no NaN or Infinity, no duplicate keys, nothing
 * after the top-level value, nesting at most {@link BundleLimits#MAX_JSON_DEPTH}. Gson's own
 * {@code JsonParser} is lenient, so bundle files never go through it.
 */
final class StrictJson {
  private StrictJson() {}

  /**
   * @param file the file name, for messages
   * @throws BundleException {@link Problem#MALFORMED_MANIFEST} naming the first violation
   */
  static JsonElement parse(String file, ByteBuffer utf8) {
    return parse(file, utf8, Problem.MALFORMED_MANIFEST);
  }

  /** As {@link #parse(String, ByteBuffer)}, reporting violations as {@code problem}. */
  static JsonElement parse(String file, ByteBuffer utf8, Problem problem) {
    try {
      return parseStrictly(file, utf8);
    } catch (BundleException e) {
      if (e.problem() == problem) {
        throw e;
      }
      throw new BundleException(problem, e.getMessage(), e);
    }
  }

  private static JsonElement parseStrictly(String file, ByteBuffer utf8) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(utf8.duplicate())
          .toString();
    } catch (CharacterCodingException e) {
      throw new BundleException(Problem.MALFORMED_MANIFEST, file + " is not valid UTF-8", e);
    }
    if (text.startsWith("\ufeff")) {
      throw new BundleException(Problem.MALFORMED_MANIFEST, file + " is not valid JSON: it starts with a byte-order mark "
          + "(save it as UTF-8 without one)");
    }
    JsonReader reader = new JsonReader(new StringReader(text));
    reader.setStrictness(Strictness.STRICT);
    try {
      JsonElement root = value(file, reader, 0);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw malformed(file, reader, "is not valid JSON: it has content after its top-level value");
      }
      return root;
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      // MalformedJsonException (an IOException) and the reader's other complaints: keep their first line.
      String message = String.valueOf(e.getMessage());
      int newline = message.indexOf('\n'); // Gson adds a troubleshooting link on a second line
      String reason = (newline < 0 ? message : message.substring(0, newline))
          .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON");
      throw new BundleException(Problem.MALFORMED_MANIFEST,
          file + " is not valid JSON (strict RFC 8259): " + Quote.clip(reason, 200), e);
    }
  }

  private static JsonElement value(String file, JsonReader reader, int depth) throws IOException {
    JsonToken token = reader.peek();
    switch (token) {
      case BEGIN_OBJECT -> {
        requireDepth(file, reader, depth);
        JsonObject object = new JsonObject();
        reader.beginObject();
        while (reader.hasNext()) {
          String name = reader.nextName();
          if (object.has(name)) {
            throw malformed(file, reader, "is not valid JSON: it has the key " + Quote.of(name) + " twice in one object");
          }
          object.add(name, value(file, reader, depth + 1));
        }
        reader.endObject();
        return object;
      }
      case BEGIN_ARRAY -> {
        requireDepth(file, reader, depth);
        JsonArray array = new JsonArray();
        reader.beginArray();
        while (reader.hasNext()) {
          array.add(value(file, reader, depth + 1));
        }
        reader.endArray();
        return array;
      }
      case STRING -> {
        return new JsonPrimitive(reader.nextString());
      }
      case NUMBER -> {
        String literal = reader.nextString();
        double number = Double.parseDouble(literal);
        if (!Double.isFinite(number)) {
          throw malformed(file, reader, "has the number " + Quote.of(literal) + ", beyond the range of a double");
        }
        return new JsonPrimitive(number);
      }
      case BOOLEAN -> {
        return new JsonPrimitive(reader.nextBoolean());
      }
      case NULL -> {
        reader.nextNull();
        return JsonNull.INSTANCE;
      }
      default -> throw malformed(file, reader, "has an unexpected " + token);
    }
  }

  private static void requireDepth(String file, JsonReader reader, int depth) {
    if (depth >= BundleLimits.MAX_JSON_DEPTH) {
      throw malformed(file, reader, "nests arrays and objects deeper than " + BundleLimits.MAX_JSON_DEPTH + " levels");
    }
  }

  private static BundleException malformed(String file, JsonReader reader, String what) {
    return new BundleException(Problem.MALFORMED_MANIFEST, file + " " + what + " (at " + Quote.clip(reader.getPath()) + ")");
  }
}
