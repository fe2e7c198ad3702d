package org.elasticdepth.runtime.desktop;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;

/**
 * Validates benchmark result files against the JSON Schema shipped in runtime-core, independently
 * of BenchmarkJson's reader. Shared through this module's test-jar by the benchmark app and the
 * exporter; users need com.networknt:json-schema-validator on their test classpath.
 */
public final class SchemaAssert {
  private static final JsonSchema SCHEMA = load();

  private SchemaAssert() {}

  private static JsonSchema load() {
    try (InputStream in = BenchmarkJson.class.getResourceAsStream(BenchmarkJson.SCHEMA_RESOURCE)) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void assertValid(Path file) throws IOException {
    assertEquals(file + " should satisfy the schema", Set.of(), SCHEMA.validate(new ObjectMapper().readTree(file.toFile())));
  }
}
