package org.elasticdepth.exporter.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleSignature;
import org.elasticdepth.runtime.bundle.BundleWriter;
import org.elasticdepth.runtime.bundle.ManifestJson;
import org.elasticdepth.runtime.bundle.PemKeys;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code verify}'s exit status for every kind of input: 0 pass, 1 beyond tolerance, 2 a bundle
 * that could not be verified, always with one line on stderr and never a stack trace. Runs on
 * runtime-desktop's tiny fixture bundle (real TFLite graphs) with keys made by keytool.
 */
public class VerifyExitCodesTest {
  private static final String PASSWORD = "correct horse battery staple";
  @Rule public TemporaryFolder tmp = new TemporaryFolder();
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;
  private Path bundle;

  @Before
  public void setUp() throws IOException {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    bundle = TestBundles.copyTo(TestBundles.TINY, tmp.getRoot().toPath().resolve("tiny"));
  }

  @After
  public void restoreOutput() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  @Test
  public void aGoodBundlePassesAndOneBeyondToleranceExitsOne() {
    assertEquals(out() + err(), 0, verify(bundle.toString()));
    assertTrue(out(), out().contains("signature: not checked"));
    assertEquals(out() + err(), 1, verify(bundle.toString(), "--tolerance", "-1"));
  }

  @Test
  public void everyDamagedBundleExitsTwoWithOneLine() throws IOException {
    assertTwo("missing", "does not exist", verify(tmp.getRoot().toPath().resolve("nothing").toString()));
    assertTwo("missing zip", "does not exist", verify(tmp.getRoot().toPath().resolve("nothing.zip").toString()));

    Path tampered = copy("tampered");
    flipByte(tampered.resolve("block_02.tflite"), 100);
    assertTwo("tampered", "block_02.tflite", verify(tampered.toString()));

    Path truncated = copy("truncated");
    try (RandomAccessFile raf = new RandomAccessFile(truncated.resolve("head.tflite").toFile(), "rw")) {
      raf.setLength(raf.length() / 2);
    }
    assertTwo("truncated", "head.tflite", verify(truncated.toString()));

    Path missingGraph = copy("missing-graph");
    Files.delete(missingGraph.resolve("stem.tflite"));
    assertTwo("missing graph", "stem.tflite", verify(missingGraph.toString()));

    Path comment = copy("comment");
    Path manifest = comment.resolve(BundleManifest.FILE_NAME);
    Files.writeString(manifest, "// exported by hand\n" + Files.readString(manifest));
    assertTwo("lenient JSON", "not valid JSON", verify(comment.toString()));

    Path huge = copy("huge-field");
    Path hugeManifest = huge.resolve(BundleManifest.FILE_NAME);
    Files.writeString(hugeManifest, Files.readString(hugeManifest).replace("\"NHWC\"", "\"" + "N".repeat(3 << 20) + "\""));
    assertTwo("huge value", "input.layout", verify(huge.toString()));

    Path sparse = copy("sparse");
    try (RandomAccessFile raf = new RandomAccessFile(sparse.resolve("block_01.tflite").toFile(), "rw")) {
      raf.setLength(3L << 30);
    }
    assertTwo("3 GiB graph", "block_01.tflite", verify(sparse.toString()));

    // Structurally invalid: random bytes whose hash and size the manifest was updated for.
    Path garbage = copy("garbage-graph");
    byte[] noise = new byte[4096];
    new Random(14).nextBytes(noise);
    rehashed(garbage, "head.tflite", noise);
    assertTwo("garbage graph", "head.tflite", verify(garbage.toString()));

    assertTwo("bad argument", "--images", verify(bundle.toString(), "--images", "0"));
    assertTwo("not a bundle", "", verify(bundle.resolve(BundleManifest.FILE_NAME).toString()));
  }

  @Test
  public void signaturesFromKeytoolKeysAreRequiredWhenAKeyIsGiven() throws Exception {
    Path keys = tmp.newFolder("keys").toPath();
    Path password = keys.resolve("password.txt");
    Files.writeString(password, PASSWORD + "\n");
    // The README's one-liners.
    keytool(keys, "-genkeypair", "-alias", "bundle", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg",
        "SHA256withECDSA", "-dname", "CN=bundle signer", "-validity", "36500", "-keystore", "signer.p12",
        "-storetype", "PKCS12", "-storepass:file", password.toString());
    keytool(keys, "-exportcert", "-rfc", "-alias", "bundle", "-keystore", "signer.p12", "-storepass:file",
        password.toString(), "-file", "signer.crt");
    // Another signer's public key, as openssl writes it (PEM SubjectPublicKeyInfo).
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
    generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    Files.writeString(keys.resolve("other.pub.pem"), "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    Path signer = keys.resolve("signer.crt");

    assertTwo("unsigned", "not signed", verify(bundle.toString(), "--public-key", signer.toString()));

    Path signed = tmp.getRoot().toPath().resolve("signed");
    BundleManifest manifest = ManifestJson.parse(Files.readString(bundle.resolve(BundleManifest.FILE_NAME)));
    BundleWriter.writeDirectory(manifest, graphs(manifest), signed, false,
        SigningKeys.privateKey(keys.resolve("signer.p12"), null, new SigningKeys.Password(null, password)));
    assertTrue(Files.exists(signed.resolve(BundleSignature.FILE_NAME)));
    assertEquals(out() + err(), 0, verify(signed.toString(), "--public-key", signer.toString()));
    assertTrue(out(), out().contains("signature: manifest.json.sig is valid"));
    assertEquals(out() + err(), 0, verify(signed.toString(), "--public-key", keys.resolve("other.pub.pem").toString(),
        "--public-key", signer.toString()));
    // The keystore itself also serves as the public key (its certificate).
    assertEquals(out() + err(), 0, verify(signed.toString(), "--public-key", keys.resolve("signer.p12").toString(),
        "--key-password-file", password.toString()));
    assertTwo("wrong key", "another key", verify(signed.toString(), "--public-key", keys.resolve("other.pub.pem").toString()));
    assertTwo("not a key", "", verify(signed.toString(), "--public-key", password.toString()));

    Path changed = tmp.getRoot().toPath().resolve("changed");
    copyDir(signed, changed);
    Path m = changed.resolve(BundleManifest.FILE_NAME);
    Files.writeString(m, Files.readString(m).replace("\"T-shirt/top\"", "\"T-shirt/tip\""));
    assertTwo("label changed after signing", "changed after signing", verify(changed.toString(), "--public-key", signer.toString()));
    assertEquals("without a key the changed bundle is still usable", 0, verify(changed.toString()));
    try (Bundle b = Bundle.fromDirectory(signed.toFile(), PemKeys.publicKey(Files.readString(signer)))) {
      b.verifyAll();
    }
  }

  // ---------------------------------------------------------------- helpers

  private void assertTwo(String what, String messagePart, int status) {
    String err = err();
    assertEquals(what + ": " + out() + err, 2, status);
    assertTrue(what + ": " + err, err.startsWith("error: ") && err.contains(messagePart));
    assertEquals(what + ": one line, got " + err, 1, err.lines().count());
    assertTrue(what + ": " + err.length() + " chars", err.length() < 700);
    assertFalse(what + ": stack trace " + err, err.contains("\tat ") || err.contains("Exception in"));
  }

  private int verify(String... args) {
    stdout.reset();
    stderr.reset();
    String[] all = new String[args.length + 1];
    all[0] = "verify";
    System.arraycopy(args, 0, all, 1, args.length);
    return ExporterCli.commandLine().execute(all);
  }

  private Path copy(String name) throws IOException {
    return TestBundles.copyTo(TestBundles.TINY, tmp.getRoot().toPath().resolve(name));
  }

  private static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  private java.util.Map<String, byte[]> graphs(BundleManifest manifest) throws IOException {
    java.util.Map<String, byte[]> graphs = new java.util.LinkedHashMap<>();
    for (BundleManifest.Graph g : manifest.graphs().all()) {
      graphs.put(g.file(), Files.readAllBytes(bundle.resolve(g.file())));
    }
    return graphs;
  }

  /** Replaces {@code file} by {@code content} and rewrites the manifest's hash and size for it. */
  private static void rehashed(Path dir, String file, byte[] content) throws IOException {
    BundleManifest m = ManifestJson.parse(Files.readString(dir.resolve(BundleManifest.FILE_NAME)));
    BundleManifest.Graph old = m.graphs().head();
    BundleManifest.Graph replaced = old.withContent(content);
    String json = Files.readString(dir.resolve(BundleManifest.FILE_NAME))
        .replace(old.sha256(), replaced.sha256())
        .replaceFirst("(\"file\": \"" + file + "\",\\s*\"sha256\": \"[0-9a-f]+\",\\s*\"bytes\": )\\d+", "$1" + content.length);
    Files.writeString(dir.resolve(BundleManifest.FILE_NAME), json);
    Files.write(dir.resolve(file), content);
    assertEquals(content.length, ManifestJson.parse(json).graphs().head().bytes());
  }

  private static void flipByte(Path file, int at) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[at] ^= 0x10;
    Files.write(file, bytes);
  }

  private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 3];
    command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    command[1] = "-J-XX:TieredStopAtLevel=1"; // a short-lived JVM: start fast
    command[2] = "-J-XX:+UseSerialGC";
    System.arraycopy(args, 0, command, 3, args.length);
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue("keytool timed out", p.waitFor(60, TimeUnit.SECONDS));
    assertEquals("keytool " + String.join(" ", args) + ": " + out, 0, p.exitValue());
  }

  private String out() {
    return stdout.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return stderr.toString(StandardCharsets.UTF_8);
  }
}
