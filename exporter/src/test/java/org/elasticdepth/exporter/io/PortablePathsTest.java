package org.elasticdepth.exporter.io;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import org.junit.Test;

public class PortablePathsTest {
  @Test
  public void namesBesideAndBelowRelativelyAndElsewhereByName() {
    Path base = Path.of("/somewhere/job/comparison");
    assertEquals("../aligned", PortablePaths.relative(Path.of("/somewhere/job/aligned"), base));
    assertEquals("plots/a.png", PortablePaths.relative(Path.of("/somewhere/job/comparison/plots/a.png"), base));
    assertEquals(".", PortablePaths.relative(base, base));
    assertEquals("aligned", PortablePaths.relative(Path.of("/tmp/p3/aligned"), base));
    assertEquals("aligned", PortablePaths.relative(Path.of("/somewhere/other/aligned"), base));
    // relative inputs are taken from the working directory, like every path on the command line
    assertEquals("../bundle", PortablePaths.relative(Path.of("runs/x/bundle"), Path.of("runs/x/bench")));
  }
}
