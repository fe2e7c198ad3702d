package org.elasticdepth.runtime.bundle;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Signed bundles: what {@code requireSignedBy} accepts and refuses, and keys from openssl. */
public class BundleSignatureTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();
  private final TestBundles fixture = new TestBundles();
  private static final KeyPair SIGNER = p256();
  private static final KeyPair OTHER = p256();

  @Test
  public void aSignedBundleOpensWithItsKeyAndAnUnsignedOneWithoutAKey() {
    Path signed = write("signed", SIGNER);
    try (Bundle bundle = Bundle.fromDirectory(signed.toFile(), SIGNER.getPublic())) {
      bundle.verifyAll();
      bundle.requireSignedBy(OTHER.getPublic(), SIGNER.getPublic()); // any one of several
    }
    try (Bundle unsignedButNotRequired = Bundle.fromDirectory(write("unsigned", null).toFile())) {
      assertEquals(TestBundles.DEPTH, unsignedButNotRequired.manifest().depth());
    }
    Path zip = tmp.getRoot().toPath().resolve("signed.zip");
    BundleWriter.writeZip(fixture.manifest, fixture.files, zip, false, SIGNER.getPrivate());
    try (Bundle bundle = Bundle.fromZip(zip.toFile(), SIGNER.getPublic())) {
      bundle.verifyAll();
    }
  }

  @Test
  public void unsignedBundlesAndOtherKeysAreRefusedWhenAKeyIsRequired() {
    assertSignature(() -> Bundle.fromDirectory(write("unsigned", null).toFile(), SIGNER.getPublic()), "is not signed");
    assertSignature(() -> Bundle.fromDirectory(write("other", OTHER).toFile(), SIGNER.getPublic()), "signed by another key");
    try (Bundle opened = Bundle.fromDirectory(write("unsigned2", null).toFile())) {
      assertSignature(() -> opened.requireSignedBy(SIGNER.getPublic()), "is not signed");
    }
  }

  @Test
  public void aOneByteChangeAnywhereInTheManifestIsRefused() {
    Map<String, ByteBuffer> files = signedFiles();
    byte[] manifest = bytes(files.get(BundleManifest.FILE_NAME));
    // Both ends and seeded positions throughout (each check is one ECDSA verification, ~10 ms here).
    java.util.SortedSet<Integer> positions = new java.util.TreeSet<>();
    java.util.Random random = new java.util.Random(14);
    for (int i = 0; i < 8; i++) {
      positions.add(i);
      positions.add(manifest.length - 1 - i);
    }
    while (positions.size() < 80) {
      positions.add(random.nextInt(manifest.length));
    }
    for (int i : positions) {
      byte[] changed = manifest.clone();
      changed[i] ^= (byte) (1 << (i % 8));
      Map<String, ByteBuffer> tampered = new LinkedHashMap<>(files);
      tampered.put(BundleManifest.FILE_NAME, ByteBuffer.wrap(changed));
      BundleException e = assertThrows("byte " + i, BundleException.class,
          () -> Bundle.fromBuffers(tampered, SIGNER.getPublic()).close());
      assertEquals("byte " + i + ": " + e.getMessage(), Problem.SIGNATURE, e.problem());
    }
  }

  @Test
  public void aGraphSwappedWithItsHashFixedIsRefused() {
    Map<String, ByteBuffer> files = signedFiles();
    // Whoever cannot sign replaces block 2 and recomputes its hash and size in the manifest.
    BundleManifest m = fixture.manifest;
    Graph old = m.block(2);
    // a structurally valid graph of the same signature, padded to another size: other bytes, other hash
    byte[] swapped = org.elasticdepth.runtime.bundle.graph.TinyGraphs.graph(old.inputs().get(0), old.outputs(),
        (int) old.bytes() + 64);
    java.util.List<Graph> blocks = new java.util.ArrayList<>(m.graphs().blocks());
    blocks.set(1, old.withContent(swapped));
    BundleManifest fixed = new BundleManifest(m.format(), m.formatVersion(), m.model(), m.input(), m.labels(),
        new BundleManifest.Graphs(m.graphs().stem(), blocks, m.graphs().head(), m.graphs().full()), m.calibration(),
        m.provenance());
    Map<String, ByteBuffer> tampered = new LinkedHashMap<>(files);
    tampered.put(BundleManifest.FILE_NAME, ByteBuffer.wrap(ManifestJson.toJson(fixed).getBytes(StandardCharsets.UTF_8)));
    tampered.put(old.file(), ByteBuffer.wrap(swapped));
    try (Bundle unchecked = Bundle.fromBuffers(tampered)) { // a consistent bundle, as far as hashes go
      unchecked.graph(unchecked.manifest().block(2));
    }
    assertSignature(() -> Bundle.fromBuffers(tampered, SIGNER.getPublic()), "changed after signing");
    // The signature file of another bundle does not transfer either.
    Map<String, ByteBuffer> copied = new LinkedHashMap<>(tampered);
    copied.put(BundleSignature.FILE_NAME, files.get(BundleSignature.FILE_NAME));
    assertSignature(() -> Bundle.fromBuffers(copied, SIGNER.getPublic()), "changed after signing");
  }

  @Test
  public void malformedSignatureFilesAreSignatureProblems() {
    Map<String, ByteBuffer> files = signedFiles();
    String good = new String(bytes(files.get(BundleSignature.FILE_NAME)), StandardCharsets.UTF_8);
    String[] bad = {
      "", "not json", "{}", "[]",
      good.replace("\"formatVersion\": 1", "\"formatVersion\": 2"),
      good.replace("SHA256withECDSA", "SHA1withECDSA"),
      good.replace("\"signature\": \"", "\"signature\": \"zz"),
      good.replace("\"signature\": \"", "\"signature\": \"00"),
      good.replace("\"signature\": \"", "\"signature\": \"" + "ab".repeat(1000)),
      good + "{}",
      good.replace("{", "{\"signature\": \"00\","),
    };
    for (String text : bad) {
      Map<String, ByteBuffer> tampered = new LinkedHashMap<>(files);
      tampered.put(BundleSignature.FILE_NAME, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      BundleException e = assertThrows(text, BundleException.class, () -> Bundle.fromBuffers(tampered, SIGNER.getPublic()));
      assertEquals(text + ": " + e.getMessage(), Problem.SIGNATURE, e.problem());
      assertTrue(e.getMessage(), e.getMessage().length() < 400);
    }
    Map<String, ByteBuffer> huge = new LinkedHashMap<>(files);
    huge.put(BundleSignature.FILE_NAME, ByteBuffer.allocate(BundleLimits.MAX_SIGNATURE_BYTES + 1));
    assertEquals(Problem.INTEGRITY, assertThrows(BundleException.class, () -> Bundle.fromBuffers(huge, SIGNER.getPublic())).problem());
  }

  @Test
  public void onlyP256KeysAreAccepted() throws GeneralSecurityException {
    PublicKey edKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair p384 = ec.generateKeyPair();
    Path dir = write("signed", SIGNER);
    assertThrows(IllegalArgumentException.class, () -> Bundle.fromDirectory(dir.toFile(), edKey));
    assertThrows(IllegalArgumentException.class, () -> Bundle.fromDirectory(dir.toFile(), p384.getPublic()));
    assertThrows(IllegalArgumentException.class, () -> Bundle.fromDirectory(dir.toFile(), (PublicKey) null));
    assertThrows(IllegalArgumentException.class, () -> BundleSignature.sign(new byte[1], p384.getPrivate()));
    try (Bundle bundle = Bundle.fromDirectory(dir.toFile())) {
      assertThrows(IllegalArgumentException.class, bundle::requireSignedBy);
    }
  }

  @Test
  public void pemKeysReadWhatJavaWritesAndRefuseOthers() {
    String publicPem = pem("PUBLIC KEY", SIGNER.getPublic().getEncoded());
    String privatePem = pem("PRIVATE KEY", SIGNER.getPrivate().getEncoded());
    assertEquals(SIGNER.getPublic(), PemKeys.publicKey(publicPem));
    assertArrayEquals(SIGNER.getPrivate().getEncoded(), PemKeys.privateKey(privatePem).getEncoded());
    assertThrows(IllegalArgumentException.class, () -> PemKeys.publicKey(privatePem));
    assertThrows(IllegalArgumentException.class, () -> PemKeys.publicKey("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----"));
    assertThrows(IllegalArgumentException.class, () -> PemKeys.privateKey("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assertThrows(IllegalArgumentException.class, () -> PemKeys.privateKey("-----BEGIN EC PRIVATE KEY-----"));
    for (int n = 0; n < 40; n++) {
      byte[] data = new byte[n];
      for (int i = 0; i < n; i++) {
        data[i] = (byte) (i * 37 + n);
      }
      assertArrayEquals(data, PemKeys.base64(java.util.Base64.getMimeEncoder().encodeToString(data)));
    }
  }

  /** The one-liners README documents: openssl's keys sign and verify, and openssl verifies our signature. */
  @Test
  public void opensslKeysWorkBothWays() throws Exception {
    assumeTrue("openssl is not installed", new File("/usr/bin/openssl").canExecute());
    Path dir = tmp.newFolder("keys").toPath();
    Path key = dir.resolve("signer.pem");
    Path pub = dir.resolve("signer.pub.pem");
    run(dir, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
    run(dir, "openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
    Path bundle = tmp.getRoot().toPath().resolve("openssl-signed");
    BundleWriter.writeDirectory(fixture.manifest, fixture.files, bundle, false, PemKeys.privateKey(Files.readString(key)));
    try (Bundle opened = Bundle.fromDirectory(bundle.toFile(), PemKeys.publicKey(Files.readString(pub)))) {
      opened.verifyAll();
    }
    String sig = Files.readString(bundle.resolve(BundleSignature.FILE_NAME));
    String hex = sig.replaceAll("(?s).*\"signature\": \"([0-9a-f]+)\".*", "$1");
    Files.write(dir.resolve("sig.der"), BundleSignature.Hex.decode(hex));
    String out = run(dir, "openssl", "dgst", "-sha256", "-verify", pub.toString(), "-signature",
        dir.resolve("sig.der").toString(), bundle.resolve(BundleManifest.FILE_NAME).toString());
    assertTrue(out, out.contains("Verified OK"));
  }

  // ---------------------------------------------------------------- helpers

  private static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue("timed out: " + String.join(" ", command), p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(String.join(" ", command) + ": " + out, 0, p.exitValue());
    return out;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private Path write(String name, KeyPair signer) {
    Path dir = tmp.getRoot().toPath().resolve(name);
    BundleWriter.writeDirectory(fixture.manifest, fixture.files, dir, false, signer == null ? null : signer.getPrivate());
    assertEquals(signer != null, Files.exists(dir.resolve(BundleSignature.FILE_NAME)));
    return dir;
  }

  private Map<String, ByteBuffer> signedFiles() {
    Path dir = write("signed-files", SIGNER);
    Map<String, ByteBuffer> files = new LinkedHashMap<>();
    try (var list = Files.list(dir)) {
      for (Path f : (Iterable<Path>) list::iterator) {
        files.put(f.getFileName().toString(), ByteBuffer.wrap(Files.readAllBytes(f)));
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertFalse(files.isEmpty());
    return files;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static void assertSignature(org.junit.function.ThrowingRunnable open, String messagePart) {
    BundleException e = assertThrows(BundleException.class, open);
    assertEquals(e.getMessage(), Problem.SIGNATURE, e.problem());
    assertTrue(e.getMessage(), e.getMessage().contains(messagePart));
  }

  private static KeyPair p256() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
