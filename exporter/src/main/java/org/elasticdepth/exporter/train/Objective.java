package org.elasticdepth.exporter.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.elasticdepth.exporter.model.ElasticVit;

/**
 * The loss of one training step for each {@link TrainingMode}. All arrays are created on the batch's manager.
 */
public final class Objective {
    private static final float COSINE_EPS = 1e-8f;

    /** A step's scalar loss and the last layer's logits [B, C] (for the running accuracy). */
    public record StepLoss(NDArray loss, NDArray lastLogits) {
    }

    private final TrainingOptions options;
    private final float[] lambdas;

    public Objective(TrainingOptions options, int depth) {
        this.options = options;
        this.lambdas = LossWeights.lambdas(depth);
    }

    /**
     * @param step     0-based optimisation step of the run (selects aligned or CE steps in aligned mode)
     * @param features the CLS feature of every layer, [B, D] each
     * @param oneHot   one-hot labels [B, C]
     */
    public StepLoss loss(ElasticVit model, long step, NDList features, NDArray oneHot) {
        int depth = features.size();
        NDManager m = oneHot.getManager();
        NDArray last = features.get(depth - 1);
        switch (options.mode()) {
            case ALIGNED:
                if (!LossWeights.isAlignedStep(step, options.alignedOnly())) {
                    return lastLayerOnly(model, last, oneHot, depth);
                }
                return weightedOverLayers(model, features, oneHot, m);
            case MULTIHEAD:
                return weightedOverLayers(model, features, oneHot, m);
            case COSREG: {
                StepLoss ce = lastLayerOnly(model, last, oneHot, depth);
                NDArray target = last.stopGradient();
                NDArray penalty = m.zeros(new Shape());
                NDArray one = ElasticVit.constant(m, 1f);
                for (int l = 0; l < depth - 1; l++) {
                    NDArray cos = cosine(features.get(l), target).mean();
                    penalty = penalty.add(one.sub(cos).mul(ElasticVit.constant(m, lambdas[l])));
                }
                NDArray beta = ElasticVit.constant(m, options.cosregBeta());
                return new StepLoss(ce.loss().add(penalty.mul(beta)), ce.lastLogits());
            }
            case STANDARD:
            default:
                return lastLayerOnly(model, last, oneHot, depth);
        }
    }

    /** Mean cross-entropy of logits [.., B, C] against one-hot labels [B, C], reduced over the batch axis only. */
    public static NDArray crossEntropy(NDArray logits, NDArray oneHot) {
        int classAxis = logits.getShape().dimension() - 1;
        return logits.logSoftmax(classAxis).mul(oneHot).sum(new int[] {classAxis}).neg().mean(new int[] {classAxis - 1});
    }

    /** Row-wise cosine similarity of [B, D] arrays, shape [B]. */
    public static NDArray cosine(NDArray a, NDArray b) {
        NDArray dot = a.mul(b).sum(new int[] {1});
        NDArray norms = a.norm(new int[] {1}).mul(b.norm(new int[] {1})).add(ElasticVit.constant(a.getManager(), COSINE_EPS));
        return dot.div(norms);
    }

    private static StepLoss lastLayerOnly(ElasticVit model, NDArray last, NDArray oneHot, int depth) {
        NDArray logits = model.exitLogits(depth, last);
        return new StepLoss(crossEntropy(logits, oneHot), logits);
    }

    private StepLoss weightedOverLayers(ElasticVit model, NDList features, NDArray oneHot, NDManager m) {
        NDArray logits = model.exitLogits(features); // [L, B, C]
        NDArray perLayer = crossEntropy(logits, oneHot); // [L]
        // torchOwned: autograd keeps this operand for backward; an array over Java memory could be gone by then
        NDArray loss = perLayer.mul(ElasticVit.torchOwned(m.create(lambdas))).sum();
        return new StepLoss(loss, logits.get(features.size() - 1));
    }
}
