package org.elasticdepth.build.android;

import com.android.tools.r8.CompilationFailedException;
import com.android.tools.r8.CompilationMode;
import com.android.tools.r8.D8;
import com.android.tools.r8.D8Command;
import com.android.tools.r8.OutputMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;

/** Java bytecode to DEX with D8, desugaring Java 8+ language features down to the min SDK. */
final class Dexer {
  private Dexer() {}

  static void dex(List<Path> jars, Path androidJar, int minSdk, Path outDir)
      throws MojoExecutionException, IOException {
    Mojos.deleteRecursively(outDir);
    Files.createDirectories(outDir);
    if (jars.isEmpty()) {
      return; // an APK without code is valid (android:hasCode is then up to its manifest)
    }
    try {
      D8.run(D8Command.builder()
          .addProgramFiles(jars)
          .addLibraryFiles(androidJar)
          // the JDK itself: desugaring of records etc. needs java.lang.Record and friends
          .addLibraryFiles(Path.of(System.getProperty("java.home")))
          .setMinApiLevel(minSdk)
          .setMode(CompilationMode.RELEASE)
          .setOutput(outDir, OutputMode.DexIndexed)
          .build());
    } catch (CompilationFailedException e) {
      throw new MojoExecutionException("D8 failed: " + e.getMessage()
          + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""), e);
    }
  }
}
