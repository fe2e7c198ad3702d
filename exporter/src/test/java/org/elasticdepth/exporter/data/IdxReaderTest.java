package org.elasticdepth.exporter.data;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class IdxReaderTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    /** The first five Fashion-MNIST test images, shipped under src/test/resources/idx. */
    private static Path fixture() throws Exception {
        return Paths.get(IdxReaderTest.class.getResource("/idx/t10k-labels-idx1-ubyte.gz").toURI()).getParent();
    }

    @Test
    public void readsTheShippedFixture() throws Exception {
        IdxReader.IdxImages images = IdxReader.readImages(fixture().resolve("t10k-images-idx3-ubyte.gz"));
        assertEquals(5, images.count());
        assertEquals(28, images.rows());
        assertEquals(28, images.cols());
        assertEquals(5 * 784, images.pixels().length);
        // centre pixels and the first image's pixel sum, read independently with Python's gzip module
        int[] centre = new int[5];
        for (int i = 0; i < 5; i++) {
            centre[i] = images.pixels()[i * 784 + 14 * 28 + 14] & 0xff;
        }
        assertArrayEquals(new int[] {110, 234, 0, 0, 100}, centre);
        long sum = 0;
        for (int j = 0; j < 784; j++) {
            sum += images.pixels()[j] & 0xff;
        }
        assertEquals(33456, sum);
        assertArrayEquals(new int[] {9, 2, 1, 1, 6}, IdxReader.readLabels(fixture().resolve("t10k-labels-idx1-ubyte.gz")));

        ImageSet set = FashionMnist.read(fixture(), "t10k");
        assertEquals(5, set.size());
        assertEquals("Ankle boot", set.classes().get(set.label(0)));
    }

    @Test
    public void rejectsAFileOfTheWrongKind() throws Exception {
        try {
            IdxReader.readLabels(fixture().resolve("t10k-images-idx3-ubyte.gz"));
            fail("image file read as labels");
        } catch (DatasetException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("not an IDX label file"));
        }
    }

    @Test
    public void reportsATruncatedFile() throws Exception {
        Path truncated = temp.getRoot().toPath().resolve("t10k-images-idx3-ubyte");
        byte[] header = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3};
        Files.write(truncated, header);
        try {
            IdxReader.readImages(truncated);
            fail("truncated file accepted");
        } catch (DatasetException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("truncated"));
        }
    }

    @Test
    public void missingDatasetNamesThePlacesAndTheDebianPackage() {
        Path nowhere = temp.getRoot().toPath().resolve("no-such-dir");
        try {
            FashionMnist.locate(nowhere);
            fail("missing data set accepted");
        } catch (DatasetException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(nowhere.toAbsolutePath().toString()));
            assertTrue(e.getMessage(), e.getMessage().contains(FashionMnist.DEBIAN_PACKAGE));
            assertTrue(e.getMessage(), e.getMessage().contains(FashionMnist.ENV_VAR));
        }
    }
}
