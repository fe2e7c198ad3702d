package org.elasticdepth.build.android;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.Log;

/**
 * Runs aapt2, the resource compiler/linker. Google's aapt2 jars are not on Maven Central, so the
 * binary comes from apktool-lib (a plugin dependency), extracted once per module build.
 */
final class Aapt2 {
  private final Path executable;
  private final Log log;

  private Aapt2(Path executable, Log log) {
    this.executable = executable;
    this.log = log;
  }

  static Aapt2 extractTo(Path toolsDir, Log log) throws IOException, MojoExecutionException {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String resource = os.contains("win") ? "prebuilt/windows/aapt2.exe"
        : os.contains("mac") ? "prebuilt/macosx/aapt2" : "prebuilt/linux/aapt2";
    Path exe = toolsDir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
    if (!Files.isExecutable(exe)) {
      try (InputStream in = Aapt2.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new MojoExecutionException("aapt2 for " + os + " is missing from apktool-lib (" + resource + ")");
        }
        Files.createDirectories(toolsDir);
        Path tmp = Files.createTempFile(toolsDir, "aapt2", ".tmp");
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        tmp.toFile().setExecutable(true);
        Files.move(tmp, exe, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    }
    return new Aapt2(exe, log);
  }

  /** Compiles one {@code res/} directory into an archive of .flat files (never left half-written). */
  void compile(Path resDir, Path flata) throws MojoExecutionException, IOException {
    Files.createDirectories(flata.getParent());
    Path tmp = flata.resolveSibling(flata.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    run(List.of("compile", "--dir", resDir.toString(), "-o", tmp.toString()));
    Files.move(tmp, flata, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  void link(List<String> arguments) throws MojoExecutionException {
    List<String> args = new ArrayList<>();
    args.add("link");
    args.addAll(arguments);
    run(args);
  }

  private void run(List<String> arguments) throws MojoExecutionException {
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(arguments);
    log.debug("aapt2 " + String.join(" ", arguments));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = p.waitFor();
      if (exit != 0) {
        throw new MojoExecutionException("aapt2 " + arguments.get(0) + " failed (exit " + exit + "):\n"
            + output + "\ncommand: " + String.join(" ", command));
      }
      if (!output.isBlank()) {
        log.info("aapt2: " + output.strip());
      }
    } catch (IOException e) {
      throw new MojoExecutionException("cannot run " + executable + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MojoExecutionException("interrupted while running aapt2", e);
    }
  }
}
