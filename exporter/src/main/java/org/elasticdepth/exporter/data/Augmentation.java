package org.elasticdepth.exporter.data;

import java.util.Random;

/**
 * The paper's training augmentation: random crop after zero padding, horizontal flip, rotation up to a maximum
 * angle. All three are folded into one inverse affine map sampled bilinearly, so an image is resampled once.
 *
 * @param padding        crop offset range in pixels (0 = no crop)
 * @param flip           flip horizontally with probability 1/2
 * @param maxRotationDeg rotate by a uniform angle in [-max, max] degrees (0 = none)
 * @param randomResizedCrop image folders: take a random resized crop of the original picture when decoding it
 *                       (torchvision's RandomResizedCrop, see {@link PictureDecoder}) instead of the centre crop
 */
public record Augmentation(int padding, boolean flip, float maxRotationDeg, boolean randomResizedCrop) {

    public static final Augmentation NONE = new Augmentation(0, false, 0f);

    public Augmentation(int padding, boolean flip, float maxRotationDeg) {
        this(padding, flip, maxRotationDeg, false);
    }

    public Augmentation {
        if (padding < 0 || maxRotationDeg < 0 || maxRotationDeg > 180) {
            throw new IllegalArgumentException("augmentation: padding >= 0 and rotation in [0, 180] required");
        }
    }

    /**
     * Parses a comma list such as {@code crop,flip,rotate} or {@code none}; {@code crop} pads by
     * {@code imageSize / 8} (4 on 32 pixels as in the paper, 3 on 28), {@code rotate} is up to 15 degrees.
     */
    public static Augmentation parse(String spec, int imageSize) {
        if (spec == null || spec.isBlank() || spec.equalsIgnoreCase("none")) {
            return NONE;
        }
        int padding = 0;
        boolean flip = false;
        float rotation = 0f;
        boolean rrc = false;
        for (String part : spec.toLowerCase(java.util.Locale.ROOT).split(",")) {
            switch (part.trim()) {
                case "crop" -> padding = Math.max(1, imageSize / 8);
                case "flip" -> flip = true;
                case "rotate" -> rotation = 15f;
                case "rrc" -> rrc = true;
                default -> throw new IllegalArgumentException("unknown augmentation '" + part.trim()
                        + "' (use a comma list of crop, flip, rotate, rrc, or none)");
            }
        }
        return new Augmentation(padding, flip, rotation, rrc);
    }

    public boolean isIdentity() {
        return !randomResizedCrop && isPixelIdentity();
    }

    /** True if {@link #apply} copies pixels unchanged (the random resized crop happens earlier, when decoding). */
    private boolean isPixelIdentity() {
        return padding == 0 && !flip && maxRotationDeg == 0f;
    }

    /** A textual form {@link #parse} accepts. */
    public String describe() {
        if (isIdentity()) {
            return "none";
        }
        StringBuilder s = new StringBuilder();
        if (randomResizedCrop) {
            s.append("rrc");
        }
        if (padding > 0) {
            s.append(s.isEmpty() ? "" : ",");
            s.append("crop(pad ").append(padding).append(')');
        }
        if (flip) {
            s.append(s.isEmpty() ? "" : ",").append("flip");
        }
        if (maxRotationDeg > 0) {
            s.append(s.isEmpty() ? "" : ",").append("rotate(").append(maxRotationDeg).append(" deg)");
        }
        return s.toString();
    }

    /**
     * Writes an augmented copy of a CHW byte image of side {@code size} into {@code out} (same layout).
     * Pixels that come from outside the image are 0.
     */
    public void apply(byte[] in, int inOffset, byte[] out, int outOffset, int channels, int size, Random random) {
        if (isPixelIdentity()) {
            System.arraycopy(in, inOffset, out, outOffset, channels * size * size);
            return;
        }
        double shiftX = padding == 0 ? 0 : random.nextInt(2 * padding + 1) - padding;
        double shiftY = padding == 0 ? 0 : random.nextInt(2 * padding + 1) - padding;
        boolean mirror = flip && random.nextBoolean();
        double angle = maxRotationDeg == 0 ? 0 : Math.toRadians((random.nextDouble() * 2 - 1) * maxRotationDeg);
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double centre = (size - 1) / 2.0;
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                // inverse map: output pixel -> crop shift -> rotation about the centre -> mirror -> source pixel
                double dx = x + shiftX - centre;
                double dy = y + shiftY - centre;
                double sx = cos * dx + sin * dy + centre;
                double sy = -sin * dx + cos * dy + centre;
                if (mirror) {
                    sx = size - 1 - sx;
                }
                for (int c = 0; c < channels; c++) {
                    out[outOffset + c * plane + y * size + x] =
                            (byte) Math.round(bilinear(in, inOffset + c * plane, size, sx, sy));
                }
            }
        }
    }

    private static double bilinear(byte[] image, int offset, int size, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        return (1 - fy) * ((1 - fx) * at(image, offset, size, x0, y0) + fx * at(image, offset, size, x0 + 1, y0))
                + fy * ((1 - fx) * at(image, offset, size, x0, y0 + 1) + fx * at(image, offset, size, x0 + 1, y0 + 1));
    }

    private static int at(byte[] image, int offset, int size, int x, int y) {
        if (x < 0 || y < 0 || x >= size || y >= size) {
            return 0;
        }
        return image[offset + y * size + x] & 0xff;
    }
}
