package org.elasticdepth.exporter.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.elasticdepth.exporter.data.ImageSet;
import org.elasticdepth.exporter.export.BundleExporter;
import org.elasticdepth.exporter.imports.ReferenceLogits;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.exporter.verify.BundleVerifier;
import org.elasticdepth.exporter.verify.DjlReference;
import org.elasticdepth.exporter.verify.VerifyReport;
import org.elasticdepth.exporter.verify.VerifyReport.Tolerance;
import org.elasticdepth.runtime.ElasticRuntimeException;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleSignature;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.Quote;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verify}: the bundle on desktop TFLite, against the DJL checkpoint when given. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Checks a bundle on desktop TFLite (XNNPACK): every file's SHA-256 and size, the TFLite "
        + "flatbuffer verifier, every graph's shapes against the manifest, every block one XNNPACK partition, "
        + "and that every graph runs. With --checkpoint it also runs N test images through stem -> blocks -> head "
        + "and through the DJL model, printing max |logit difference| and prediction agreement per layer, and "
        + "full.tflite against the chained graphs. Every precision the bundle carries is checked with its own "
        + "tolerance (fp32 tight logits, fp16 looser logits, int8 by prediction agreement and per-layer accuracy), "
        + "and every graph's operators are listed where they run: inside XNNPACK partitions or on TFLite kernels.",
        "With --public-key the bundle must carry a valid manifest.json.sig by that key (or one of several).",
        "Exit status: 0 pass, 1 beyond tolerance, 2 the bundle could not be verified (missing, tampered, "
            + "truncated, malformed, structurally invalid, unsigned or signed by another key when a key is required, "
            + "or bad arguments); always a one-line message, never a stack trace."})
public final class VerifyCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "BUNDLE_DIR", description = "a bundle directory (or .zip)")
  File bundlePath;

  @Option(names = "--checkpoint", paramLabel = "RUN_DIR", description = "the run the bundle was exported from")
  Path checkpoint;

  @Option(names = "--reference", paramLabel = "FILE.safetensors", description = "logits another framework "
      + "computed: tensors 'images' [B,C,S,S] (normalised) and 'logits' [L,B,classes] (shared head after each block), "
      + "as exporter/src/test/python/timm_checkpoint.py writes them")
  Path reference;

  @Option(names = "--images", defaultValue = "256", description = "test images to compare (default: ${DEFAULT-VALUE})")
  int images;

  @Option(names = "--threads", defaultValue = "1", description = "TFLite threads (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--precision", split = ",", paramLabel = "P[,P...]",
      description = "precisions to check, of fp32, fp16, int8 (default: every precision the bundle carries)")
  List<String> precisions = List.of();

  @Option(names = "--tolerance", description = "max |logit diff| allowed, for every precision checked (default: 1e-4 "
      + "for fp32, 5e-2 for fp16, none for int8)")
  Double tolerance;

  @Option(names = "--min-agreement", description = "min agreement, for every precision checked (default: 0.999 at "
      + "every layer for fp32, 0.99 for fp16, 0.99 at the last layer for int8; int8 also loses at most 0.5 points of "
      + "accuracy at any layer when the images have labels)")
  Double minAgreement;

  @Option(names = "--public-key", paramLabel = "FILE", description = "require a signature by this EC P-256 key: a PEM "
      + "public key (openssl pkey -pubout), a PEM certificate (keytool -exportcert -rfc) or a PKCS#12 keystore; "
      + "repeat to accept any of several")
  List<Path> publicKeys = new ArrayList<>();

  @Mixin
  KeystoreOptions keystore = new KeystoreOptions();

  /**
   * Every failure ends here as one line and exit status 2: whatever a damaged bundle makes the code
   * below throw (errors included), it is a bundle that could not be verified.
   */
  @Override
  public Integer call() {
    try {
      return verify();
    } catch (Throwable e) { // NOPMD: the command's boundary, see above
      System.err.println("error: " + oneLine(e));
      return 2;
    }
  }

  /** The message of {@code e} on one short line; the class name too unless it is one of ours. */
  static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    boolean ours = e instanceof ElasticRuntimeException || e instanceof IllegalArgumentException;
    String text = ours && !message.isEmpty() ? message : e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    return Quote.clip(text, 400);
  }

  private int verify() throws IOException {
    if (images < 1) {
      throw new IllegalArgumentException("--images must be >= 1, got " + images);
    }
    PublicKey[] keys = new PublicKey[publicKeys.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = SigningKeys.publicKey(publicKeys.get(i), keystore.keyAlias, keystore.password());
    }
    try (Bundle bundle = bundlePath.getName().endsWith(".zip") ? Bundle.fromZip(bundlePath, keys) : Bundle.fromDirectory(bundlePath, keys);
        DesktopExecutor executor = DesktopExecutor.create(DesktopExecutor.Options.builder().setNumThreads(threads).build())) {
      System.out.println(keys.length == 0 ? "signature: not checked (no --public-key)"
          : "signature: " + BundleSignature.FILE_NAME + " is valid (key " + (keys.length == 1 ? "" : "among ")
              + publicKeys + ")");
      List<Precision> checked = precisionsToCheck(bundle.manifest());
      Function<Precision, Tolerance> tolerances = p -> Tolerance.forPrecision(p.label()).with(tolerance, minAgreement);
      if (checkpoint != null && reference != null) {
        throw new IllegalArgumentException("give --checkpoint or --reference, not both");
      }
      List<VerifyReport> reports;
      if (reference != null) {
        reports = againstReference(bundle, executor, checked, tolerances);
      } else if (checkpoint == null) {
        reports = BundleVerifier.verify(bundle, checked, executor, null, null, null, Math.min(images, 4), tolerances);
      } else {
        reports = againstCheckpoint(bundle, executor, checked, tolerances);
      }
      boolean passed = true;
      List<String> verdicts = new ArrayList<>();
      for (VerifyReport report : reports) {
        if (reports.size() > 1) {
          System.out.println();
          System.out.println("== " + report.precision() + " ==");
        }
        report.print(System.out);
        passed &= report.passed();
        verdicts.add(report.precision() + " " + (report.passed() ? "PASS" : "FAIL"));
      }
      if (reports.size() > 1) {
        System.out.println();
        System.out.println((passed ? "PASS" : "FAIL") + ": " + String.join(", ", verdicts));
      }
      return passed ? 0 : 1;
    }
  }

  /** The precisions named by --precision, each carried by the bundle; all of them by default. */
  private List<Precision> precisionsToCheck(BundleManifest m) {
    if (precisions.isEmpty()) {
      return m.precisions();
    }
    List<Precision> chosen = new ArrayList<>();
    for (String label : precisions) {
      Precision p = Precision.fromLabel(label.trim());
      if (!m.has(p)) {
        throw new IllegalArgumentException("--precision " + p.label() + ": the bundle carries "
            + BundleManifest.labels(m.precisions()));
      }
      if (!chosen.contains(p)) {
        chosen.add(p);
      }
    }
    return chosen;
  }

  private List<VerifyReport> againstReference(Bundle bundle, DesktopExecutor executor, List<Precision> checked,
      Function<Precision, Tolerance> tol) throws IOException {
    ReferenceLogits ref = ReferenceLogits.read(reference);
    BundleManifest m = bundle.manifest();
    if (ref.imageSize() != m.input().height() || ref.channels() != m.input().channels()
        || ref.layers() != m.depth()) {
      throw new IllegalArgumentException(reference + " holds " + ref.layers() + " layers of " + ref.channels()
          + "x" + ref.imageSize() + "x" + ref.imageSize() + " images, the bundle " + m.depth() + " layers of "
          + m.input().channels() + "x" + m.input().height() + "x" + m.input().width());
    }
    int n = Math.min(images, ref.images());
    return BundleVerifier.verify(bundle, checked, executor, ref, ref.imagesNhwc(), null, n, tol);
  }

  private List<VerifyReport> againstCheckpoint(Bundle bundle, DesktopExecutor executor, List<Precision> checked,
      Function<Precision, Tolerance> tol) throws IOException {
    RunDirectory run = RunDirectory.open(checkpoint);
    VitConfig c = run.modelConfig();
    BundleManifest.Model expected = BundleExporter.model(c);
    BundleManifest.Model actual = bundle.manifest().model();
    if (!expected.equals(actual)) {
      throw new IllegalArgumentException("the bundle's model " + Quote.clip(actual.toString(), 300)
          + " is not the checkpoint's " + expected);
    }
    ImageSet test = run.loadData().test();
    int n = Math.min(images, test.size());
    float[] nhwc = DjlReference.toNhwc(test.normalized(0, n, run.normalization()), n, c.imageSize(), c.channels());
    try (ElasticVit model = run.loadModel()) {
      return BundleVerifier.verify(bundle, checked, executor, new DjlReference(model), nhwc, test.labels(0, n), n, tol);
    }
  }
}
