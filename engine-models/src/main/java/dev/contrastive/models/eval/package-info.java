/**
 * Offline evaluation of frozen features: extraction from a dataset ({@link
 * dev.contrastive.models.eval.FeatureExtractor}), a linear softmax probe ({@link
 * dev.contrastive.models.eval.LinearProbe}) and cosine k-nearest-neighbour classification ({@link
 * dev.contrastive.models.eval.KnnEvaluation}); {@link dev.contrastive.models.eval.Evaluation} runs
 * them on a checkpoint's features and the baselines into one report, and {@link
 * dev.contrastive.models.eval.FeatureExport} writes features and labels to HDF5.
 *
 * <p>Every evaluation here fits on the train split only and scores on the test split; nothing
 * computed from test features or labels reaches the fitted model.
 */
package dev.contrastive.models.eval;
