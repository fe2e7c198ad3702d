package org.elasticdepth.build.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class DebugKeystoreTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void missingKeystoreIsGeneratedAndThenReused() throws Exception {
    Path keystore = tmp.getRoot().toPath().resolve("sub/debug.keystore");
    DebugKeystore.Key first = DebugKeystore.loadOrGenerate(keystore, new SystemStreamLog());
    assertTrue(Files.isRegularFile(keystore));
    assertEquals("CN=Android Debug, O=Android, C=US", first.certificate().getSubjectX500Principal().getName()
        .replace(",", ", "));
    DebugKeystore.Key second = DebugKeystore.loadOrGenerate(keystore, new SystemStreamLog());
    assertEquals(first.certificate(), second.certificate());
  }

  @Test
  public void corruptKeystoreFailsWithWhatToDo() throws Exception {
    Path keystore = tmp.newFile("debug.keystore").toPath();
    Files.writeString(keystore, "not a keystore");
    MojoExecutionException e = assertThrows(MojoExecutionException.class,
        () -> DebugKeystore.loadOrGenerate(keystore, new SystemStreamLog()));
    assertTrue(e.getMessage(), e.getMessage().contains(keystore + " is not usable"));
    assertTrue(e.getMessage(), e.getMessage().contains("Delete it and build again"));
  }
}
