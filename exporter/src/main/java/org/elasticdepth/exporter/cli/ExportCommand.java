package org.elasticdepth.exporter.cli;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.elasticdepth.exporter.export.BundleExporter;
import org.elasticdepth.exporter.export.ExportException;
import org.elasticdepth.exporter.export.ExportedBundle;
import org.elasticdepth.exporter.export.TrainedModel;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.ElasticRuntimeException;
import org.elasticdepth.runtime.bundle.BundleManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code export}: a trained run becomes a bundle directory (and optionally a zip). */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Cuts a trained run into the on-device bundle: stem.tflite, block_01..L.tflite, the shared "
        + "head.tflite, full.tflite (unless --no-full) and manifest.json (hashes, sizes, parameters, FLOPs, "
        + "labels, input spec, calibration from RUN_DIR/calibration.json if present, provenance).",
        "Written to a temporary name and renamed: an existing bundle is refused unless --force, and is never "
            + "half-overwritten."})
public final class ExportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a run directory written by train")
  Path runDir;

  @Option(names = "--out", required = true, paramLabel = "BUNDLE_DIR", description = "bundle directory to write")
  Path out;

  @Option(names = "--fp16", description = "store weights as float16 (+ DEQUANTIZE): half the size, ~1e-3 relative error")
  boolean fp16;

  @Option(names = "--force", description = "replace an existing BUNDLE_DIR (and zip)")
  boolean force;

  @Option(names = "--zip", description = "also write BUNDLE_DIR.zip")
  boolean zip;

  @Option(names = "--no-full", description = "leave out full.tflite, the monolithic full-depth graph")
  boolean noFull;

  @Option(names = "--sign", paramLabel = "KEY", description = "sign manifest.json into manifest.json.sig with this EC "
      + "P-256 private key: an unencrypted PKCS#8 PEM (openssl genpkey) or a PKCS#12 keystore (.p12, keytool)")
  Path signingKey;

  @Mixin
  KeystoreOptions keystore = new KeystoreOptions();

  @Override
  public Integer call() throws java.io.IOException {
    // The key first: a bad key must not cost a whole export.
    PrivateKey key = signingKey == null ? null
        : SigningKeys.privateKey(signingKey, keystore.keyAlias, keystore.password());
    try {
      TrainedModel trained = TrainedModel.load(runDir);
      ExportedBundle bundle = BundleExporter.export(trained.model(), trained.weights(),
          fp16 ? Precision.FP16 : Precision.FP32, !noFull, trained.description());
      Path zipFile = zip ? out.resolveSibling(out.getFileName() + ".zip") : null;
      bundle.write(out, zipFile, force, key);
      print(bundle, zipFile);
      return 0;
    } catch (ExportException | ElasticRuntimeException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
  }

  private void print(ExportedBundle bundle, Path zipFile) {
    BundleManifest m = bundle.manifest();
    System.out.printf(Locale.ROOT, "exported %s (%s weights, depth %d, dim %d, %d classes) to %s%s%n",
        runDir, m.provenance().precision(), m.depth(), m.model().dim(), m.model().numClasses(), out,
        zipFile == null ? "" : " and " + zipFile);
    if (signingKey != null) {
      System.out.printf(Locale.ROOT, "  signed manifest.json with %s into manifest.json.sig%n", signingKey);
    }
    for (BundleManifest.Graph g : m.graphs().all()) {
      System.out.printf(Locale.ROOT, "  %-16s %9d bytes  %8d params  %10d FLOPs  sha256 %s%n", g.file(), g.bytes(),
          g.params(), g.flops(), g.sha256().substring(0, 16));
    }
    System.out.printf(Locale.ROOT, "  total %d bytes of graphs%s%n", bundle.graphBytes(),
        m.calibration() == null ? "; no calibration.json in the run: the manifest has no exit frontier" : "");
    if (m.calibration() != null) {
      StringBuilder depths = new StringBuilder();
      for (BundleManifest.MinimalDepth d : m.calibration().minimalDepth()) {
        depths.append(depths.length() == 0 ? "" : ", ").append(d.depth()).append(" of ").append(m.depth())
            .append(" (within ").append(d.dropInPoints()).append(" point of full depth)");
      }
      System.out.println("  minimal depth on validation: " + depths
          + "; the runtime's default depth cap when no budget is given");
    }
  }
}
