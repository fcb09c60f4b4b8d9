/**
 * The optimiser of the trainer: {@link dev.contrastive.models.train.optim.Adam} (and AdamW) over
 * the flat parameter arrays of {@link dev.contrastive.models.nn.Parameters}, with optional global
 * gradient-norm clipping, and the {@link dev.contrastive.models.train.optim.LearningRateSchedule}s
 * that feed it a rate per step.
 *
 * <p>Semantics follow PyTorch so that published hyper-parameters mean the same here: {@code
 * torch.optim.Adam} (weight decay added to the gradient), {@code torch.optim.AdamW} (decoupled
 * weight decay) and {@code torch.nn.utils.clip_grad_norm_}. The tests check the update against a
 * float64 transcription of those three.
 *
 * <p>Step numbering: steps count from 1, the number of the update about to be applied, the same
 * {@code t} Adam uses for bias correction, so {@code lr * schedule.factor(t)} and {@code adam.step}
 * agree.
 */
package dev.contrastive.models.train.optim;
