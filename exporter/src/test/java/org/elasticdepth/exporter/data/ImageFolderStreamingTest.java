package org.elasticdepth.exporter.data;

import org.elasticdepth.exporter.cli.CliRunner;
import org.elasticdepth.runtime.InputTranslator;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Image folders at real size: streamed, decoded as the runtime translates pictures, random resized crops. */
public class ImageFolderStreamingTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void imagesAreStreamedAndMatchTheRuntimesTranslationUpToRounding() throws Exception {
        Path root = tmp.getRoot().toPath().resolve("folder");
        // non-square pictures larger than the model input: centre crop and a >2x shrink (area averaging)
        writePicture(root.resolve("a/0.png"), 300, 200, 1);
        writePicture(root.resolve("a/1.png"), 120, 160, 2);
        writePicture(root.resolve("b/0.png"), 64, 64, 3);
        ImageSet set = ImageFolder.load(root, 48, 3);
        assertTrue(set.isStreamed());
        assertEquals(3, set.size());
        assertEquals(List.of("a", "b"), set.classes());
        Normalization norm = new Normalization(new float[] {0.485f, 0.456f, 0.406f},
                new float[] {0.229f, 0.224f, 0.225f});
        float[] trained = set.normalized(0, 3, norm); // NCHW, as training and evaluation see them
        // the manifest's input spec for this model, as the runtime applies it to the same pictures
        Input spec = new Input("NHWC", 48, 48, 3, 1f / 255, norm.mean(), norm.std(), "center-crop");
        InputTranslator runtime = InputTranslator.of(spec);
        double worst = 0;
        int n = 3 * 48 * 48;
        Path[] files = {root.resolve("a/0.png"), root.resolve("a/1.png"), root.resolve("b/0.png")};
        for (int i = 0; i < 3; i++) {
            PictureDecoder.Picture p = PictureDecoder.decode(files[i]);
            float[] nhwc = runtime.translate(p.argb(), p.width(), p.height());
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < 48 * 48; j++) {
                    worst = Math.max(worst, Math.abs(trained[i * n + c * 48 * 48 + j] - nhwc[j * 3 + c]));
                }
            }
        }
        // only the rounding to 8 bits differs: at most 0.5 / 255 / min(std)
        assertTrue("worst " + worst, worst <= 0.5 / 255 / 0.224 + 1e-6);
        assertTrue("not trivially equal", worst > 0);

        byte[] centre = new byte[n];
        set.copyBatch(new int[] {0}, null, centre);
        byte[] crop1 = new byte[n];
        byte[] crop1Again = new byte[n];
        byte[] crop2 = new byte[n];
        set.copyBatch(new int[] {0}, new long[] {11}, crop1);
        set.copyBatch(new int[] {0}, new long[] {11}, crop1Again);
        set.copyBatch(new int[] {0}, new long[] {12}, crop2);
        assertArrayEquals("a crop is a function of its seed", crop1, crop1Again);
        assertFalse(Arrays.equals(crop1, crop2));
        assertFalse(Arrays.equals(crop1, centre));
    }

    @Test
    public void aBrokenImageIsNamedWhenTrainingReachesIt() throws Exception {
        Path root = SyntheticFolder.write(tmp.getRoot().toPath().resolve("broken"), 2, 12, 16, 4);
        Files.writeString(root.resolve("red/005.png"), "not a png");
        CliRunner cli = new CliRunner();
        int status = cli.run("train", "--data", root.toString(), "--image-size", "16", "--channels", "3",
                "--patch", "4", "--dim", "8", "--depth", "1", "--heads", "2", "--mlp-dim", "8", "--epochs", "1",
                "--validation-size", "4", "--batch-size", "4", "--threads", "1", "--out",
                tmp.getRoot().toPath().resolve("run").toString(), "--no-progress-bar");
        assertEquals(cli.out() + cli.err(), 1, status);
        assertTrue(cli.err(), cli.err().contains("red/005.png") && cli.err().contains("not a readable JPEG/PNG"));
    }

    @Test
    public void randomResizedCropNeedsOriginalPictures() throws Exception {
        try {
            new ImageSet(new byte[12], new int[] {0, 1, 0}, 1, 2, List.of("x", "y")).copyBatch(new int[] {0},
                    new long[] {1}, new byte[4]);
            fail();
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("image folder"));
        }
        assertTrue(Augmentation.parse("rrc,flip", 224).randomResizedCrop());
        assertEquals("rrc,flip", Augmentation.parse("rrc,flip", 224).describe());
    }

    private static void writePicture(Path file, int width, int height, long seed) throws Exception {
        Files.createDirectories(file.getParent());
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / width + random.nextInt(40)) & 0xff;
                int g = (y * 255 / height) & 0xff;
                int b = random.nextInt(256);
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        ImageIO.write(image, "png", file.toFile());
    }
}
