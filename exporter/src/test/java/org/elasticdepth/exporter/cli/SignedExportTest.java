package org.elasticdepth.exporter.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.exporter.bench.FashionMnistFixture;
import org.elasticdepth.exporter.data.DataSpec;
import org.elasticdepth.exporter.data.FashionMnist;
import org.elasticdepth.exporter.data.Normalization;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.Checkpoint;
import org.elasticdepth.exporter.train.CheckpointStore;
import org.elasticdepth.exporter.train.RunConfig;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.exporter.train.TensorArchive;
import org.elasticdepth.exporter.train.TrainingMode;
import org.elasticdepth.exporter.train.TrainingOptions;
import org.elasticdepth.exporter.train.TrainingState;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleSignature;
import org.elasticdepth.runtime.bundle.PemKeys;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code export --sign KEY} writes manifest.json.sig into the directory and the zip; a bad key costs no export. */
public class SignedExportTest {
  private static final VitConfig CONFIG = new VitConfig(28, 1, 7, 16, 2, 2, 32, 10, 0f, 1e-5f);
  @Rule public TemporaryFolder tmp = new TemporaryFolder();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream originalErr;
  private PrintStream originalOut;

  @Before
  public void capture() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  @After
  public void restore() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  @Test
  public void exportSignsTheDirectoryAndTheZip() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    Path key = tmp.getRoot().toPath().resolve("signer.pem");
    Files.writeString(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    Path pub = tmp.getRoot().toPath().resolve("signer.pub.pem");
    Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    Path run = writeRun();
    Path out = tmp.getRoot().toPath().resolve("bundle");

    // A key that cannot sign is refused before anything is written.
    assertEquals(1, execute("export", run.toString(), "--out", out.toString(), "--sign", pub.toString()));
    assertTrue(stderr.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8).contains("private key"));
    assertFalse(Files.exists(out));

    assertEquals(stderr.toString(StandardCharsets.UTF_8), 0,
        execute("export", run.toString(), "--out", out.toString(), "--zip", "--no-full", "--sign", key.toString()));
    assertTrue(Files.exists(out.resolve(BundleSignature.FILE_NAME)));
    try (Bundle bundle = Bundle.fromDirectory(out.toFile(), PemKeys.publicKey(Files.readString(pub)))) {
      bundle.verifyAll();
    }
    try (Bundle zip = Bundle.fromZip(out.resolveSibling("bundle.zip").toFile(), pair.getPublic())) {
      zip.verifyAll();
    }
    assertEquals(0, execute("verify", out.toString(), "--public-key", pub.toString()));
  }

  private int execute(String... args) {
    stderr.reset();
    return ExporterCli.commandLine().execute(args);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  /** A randomly initialised run directory, as {@link ExportVerifyCommandTest} writes it. */
  private Path writeRun() throws Exception {
    Path dir = Files.createTempDirectory(tmp.getRoot().toPath(), "run");
    TrainingOptions training = new TrainingOptions(TrainingMode.ALIGNED, 1, 32, 1e-3f, 0.05f, TrainingOptions.COSINE, 0f,
        false, 1f, 42, 1);
    Path images = FashionMnistFixture.write(dir.resolve("data"), 40, 3);
    DataSpec data = new DataSpec(DataSpec.FASHION_MNIST, images.toString(), 8, 0.1, 42, "none");
    RunDirectory.writeConfig(dir, new RunConfig(RunConfig.FORMAT_VERSION, CONFIG, training, data,
        new Normalization(new float[] {0.286f}, new float[] {0.353f}), FashionMnist.LABELS));
    try (ElasticVit vit = ElasticVit.initialize(CONFIG, TrainingMode.ALIGNED.headLayout(), 3)) {
      Map<String, TensorArchive.Tensor> weights = new LinkedHashMap<>();
      vit.namedWeights().forEach((name, values) -> weights.put(name,
          new TensorArchive.Tensor(vit.weightShapes().get(name), values)));
      new CheckpointStore(dir).save(new Checkpoint(weights, Map.of(), new TrainingState(1, 10, List.of())));
    }
    return dir;
  }
}
