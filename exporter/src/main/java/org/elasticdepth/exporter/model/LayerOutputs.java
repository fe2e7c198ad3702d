package org.elasticdepth.exporter.model;

/**
 * What the network computes for a batch in inference mode: the CLS feature after every block and the exit
 * logits of every layer.
 *
 * @param features {@code features[l][b][d]}: CLS feature h_{l+1} of image b after block l+1 (0-based l)
 * @param logits   {@code logits[l][b][c]}: the exit head's logits for that feature (shared head, or head l+1
 *                 for a per-layer model)
 */
public record LayerOutputs(float[][][] features, float[][][] logits) {

    public int layers() {
        return features.length;
    }

    public int batch() {
        return features.length == 0 ? 0 : features[0].length;
    }
}
