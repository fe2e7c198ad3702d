package org.elasticdepth.build.android;

import com.android.manifmerger.ManifestMerger2;
import com.android.manifmerger.ManifestSystemProperty;
import com.android.manifmerger.MergingReport;
import com.android.utils.ILogger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.Log;

/** Manifest merging (Google's manifest-merger) and reading a manifest's package. */
final class Manifests {
  private Manifests() {}

  /** What a merge injects, as the Android Gradle plugin does from its DSL. */
  record Settings(int minSdk, int targetSdk, int versionCode, String versionName) {}

  static void merge(Path main, List<Path> libraries, ManifestMerger2.MergeType type, Settings settings,
      Path out, Log log) throws MojoExecutionException, IOException {
    String pkg = packageOf(main).orElseThrow(() -> new MojoExecutionException(
        main + " has no package attribute: add package=\"...\" to its <manifest> element"));
    MergingReport report;
    try {
      ManifestMerger2.Invoker merger = ManifestMerger2.newMerger(main.toFile(), new MavenLogger(log), type)
          .setOverride(ManifestSystemProperty.UsesSdk.MIN_SDK_VERSION, String.valueOf(settings.minSdk()))
          .setOverride(ManifestSystemProperty.UsesSdk.TARGET_SDK_VERSION, String.valueOf(settings.targetSdk()))
          .setNamespace(pkg)
          // AARs refer to the app's id as ${applicationId} (e.g. androidx.core's permission names)
          .setPlaceHolderValue("applicationId", pkg);
      if (type == ManifestMerger2.MergeType.APPLICATION) {
        // tools:* markers are instructions to the merger, not part of the app; and no legacy storage/phone
        // permissions for libraries whose manifest lacks <uses-sdk> (tensorflow-lite-gpu-api's does)
        merger.withFeatures(ManifestMerger2.Invoker.Feature.REMOVE_TOOLS_DECLARATIONS,
            ManifestMerger2.Invoker.Feature.NO_IMPLICIT_PERMISSION_ADDITION);
        merger.setOverride(ManifestSystemProperty.Manifest.VERSION_CODE, String.valueOf(settings.versionCode()))
            .setOverride(ManifestSystemProperty.Manifest.VERSION_NAME, settings.versionName());
      }
      for (Path library : libraries) {
        merger.addLibraryManifest(library.toFile());
      }
      report = merger.merge();
    } catch (ManifestMerger2.MergeFailureException e) {
      throw new MojoExecutionException("manifest merge of " + main + " failed: " + e.getMessage(), e);
    }
    if (report.getResult().isError()) {
      throw new MojoExecutionException("manifest merge of " + main + " failed:\n" + report.getReportString());
    }
    String merged = report.getMergedDocument(MergingReport.MergedManifestKind.MERGED);
    Files.createDirectories(out.getParent());
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    Files.writeString(tmp, merged, StandardCharsets.UTF_8);
    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The {@code package} attribute of a manifest's root element. */
  static Optional<String> packageOf(Path manifest) throws MojoExecutionException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      String pkg = factory.newDocumentBuilder().parse(manifest.toFile()).getDocumentElement().getAttribute("package");
      return pkg.isBlank() ? Optional.empty() : Optional.of(pkg);
    } catch (Exception e) {
      throw new MojoExecutionException("cannot read Android manifest " + manifest + ": " + e.getMessage(), e);
    }
  }

  /** Routes the merger's messages to Maven's log. */
  private record MavenLogger(Log log) implements ILogger {
    @Override
    public void error(Throwable t, String format, Object... args) {
      log.error(format == null ? String.valueOf(t) : String.format(format, args), t);
    }

    @Override
    public void warning(String format, Object... args) {
      log.warn(String.format(format, args));
    }

    @Override
    public void info(String format, Object... args) {
      log.debug(String.format(format, args));
    }

    @Override
    public void verbose(String format, Object... args) {
      log.debug(String.format(format, args));
    }
  }
}
