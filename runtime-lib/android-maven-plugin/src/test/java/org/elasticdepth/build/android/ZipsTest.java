package org.elasticdepth.build.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ZipsTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void emptyOrMissingDirectoryGivesAValidJar() throws IOException {
    Path jar = tmp.getRoot().toPath().resolve("empty.jar");
    Zips.zipDirectory(tmp.getRoot().toPath().resolve("no-such-dir"), jar);
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      assertEquals(List.of("META-INF/MANIFEST.MF"), zip.stream().map(ZipEntry::getName).toList());
    }
  }

  @Test
  public void storedEntriesStayUncompressed() throws IOException {
    Path archive = tmp.getRoot().toPath().resolve("a.zip");
    Zips.writeAtomically(archive, out -> Zips.putStored(out, "assets/model.tflite", new byte[1000]));
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      ZipEntry e = zip.getEntry("assets/model.tflite");
      assertEquals(ZipEntry.STORED, e.getMethod());
      assertEquals(1000, e.getCompressedSize());
    }
    assertFalse(Files.exists(archive.resolveSibling("a.zip.tmp")));
  }

  @Test
  public void unzipRefusesEntriesOutsideTheTarget() throws IOException {
    Path evil = tmp.getRoot().toPath().resolve("evil.zip");
    Zips.writeAtomically(evil, out -> Zips.putStored(out, "../escaped.txt", new byte[] {1}));
    Path dest = tmp.newFolder("dest").toPath();
    IOException e = assertThrows(IOException.class, () -> Zips.unzip(evil, dest));
    assertTrue(e.getMessage(), e.getMessage().contains("../escaped.txt"));
    assertFalse(Files.exists(dest.resolveSibling("escaped.txt")));
  }
}
