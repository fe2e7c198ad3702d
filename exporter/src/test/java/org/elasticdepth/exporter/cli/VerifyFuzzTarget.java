package org.elasticdepth.exporter.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.elasticdepth.runtime.fuzz.BundleFuzzer;

/**
 * {@code exporter verify BUNDLE --images 2} as a fuzzing target (see runtime-desktop's {@code
 * FuzzSupervisor}): exit status 0, 1 or 2 with one-line messages is typed; any other status or a
 * stack trace counts as untyped. Soak run with the exporter's test classpath:
 *
 * <pre>
 * java -cp EXPORTER_TEST_CLASSPATH org.elasticdepth.runtime.fuzz.FuzzSupervisor app/src/main/assets/bundle /tmp/fuzz-verify 14 600 \
 *     org.elasticdepth.exporter.cli.VerifyFuzzTarget
 * </pre>
 */
public final class VerifyFuzzTarget implements BundleFuzzer.Target {
  static {
    ExporterCli.configureEnvironment();
  }

  @Override
  public String attempt(File dir) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream previousOut = System.out;
    PrintStream previousErr = System.err;
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      var cli = ExporterCli.commandLine();
      cli.setOut(new PrintWriter(o, true));
      cli.setErr(new PrintWriter(e, true));
      status = cli.execute("verify", dir.getPath(), "--images", "2");
    } finally {
      System.setOut(previousOut);
      System.setErr(previousErr);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    if (status < 0 || status > 2 || text.contains("\tat ") || text.contains("Exception in thread")) {
      String first = text.lines().findFirst().orElse("");
      throw new IllegalStateException("verify exit status " + status + ": " + (first.length() > 200 ? first.substring(0, 200) : first));
    }
    return "exit " + status;
  }
}
