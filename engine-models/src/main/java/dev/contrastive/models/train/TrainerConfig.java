package dev.contrastive.models.train;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.train.optim.AdamOptions;
import dev.contrastive.models.train.optim.LearningRateSchedule;

/**
 * Everything that fixes a training run's result, stored in every checkpoint so that a resume can
 * refuse a run directory trained under another configuration.
 *
 * @param steps optimiser steps in the run, in [1, 10^9]; 0 when {@code epochs} sets the length
 * @param epochs whole epochs in the run, in [1, 10^6]; 0 when {@code steps} sets the length
 * @param batch images per step, in [2, 65536] (the NCE needs at least one negative)
 * @param seed seed of the data order, the augmentations and the loss's source locations
 * @param threads augmentation worker threads, in [1, 256]; the batches are the same for any value
 * @param checkpointEvery steps between checkpoints, in [1, 10^9]; one is also written at the end
 * @param runDir directory of the checkpoints (created if absent)
 * @param encoder the AMDIM encoder's hyper-parameters; {@link #encoderNamed} gives the named ones
 * @param loss the fused AMDIM loss's options
 * @param adam the optimiser's options
 * @param schedule the learning rate of each step
 * @param validation when to validate and whether to stop early
 * @param onlineProbeLr Adam step size of the online evaluator (a linear head on the detached r1
 *     features, trained beside the encoder), in [0, 1]; 0 turns it off. It never changes the
 *     encoder's training.
 */
public record TrainerConfig(
    long steps,
    int epochs,
    int batch,
    long seed,
    int threads,
    long checkpointEvery,
    String runDir,
    AmdimConfig encoder,
    AmdimOptions loss,
    AdamOptions adam,
    LearningRateSchedule schedule,
    ValidationOptions validation,
    double onlineProbeLr) {

  /** The online evaluator's default step size: 1e-3 reaches a plateau within an epoch of the subset. */
  public static final double DEFAULT_ONLINE_PROBE_LR = 1e-3;

  private static final long MAX_STEPS = 1_000_000_000L;

  /**
   * Adds the type tag a sealed schedule needs in JSON, without annotating the optim package (which
   * knows nothing of serialisation).
   */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = LearningRateSchedule.Constant.class, name = "constant"),
    @JsonSubTypes.Type(value = LearningRateSchedule.WarmUp.class, name = "warmUp"),
    @JsonSubTypes.Type(value = LearningRateSchedule.StepDecay.class, name = "stepDecay"),
    @JsonSubTypes.Type(value = LearningRateSchedule.Cosine.class, name = "cosine")
  })
  private interface ScheduleTypes {}

  private static final ObjectMapper JSON =
      new ObjectMapper().addMixIn(LearningRateSchedule.class, ScheduleTypes.class);

  public TrainerConfig {
    if ((steps > 0) == (epochs > 0)) {
      throw new IllegalArgumentException(
          "trainer: exactly one of steps and epochs must be > 0, got steps=" + steps + ", epochs=" + epochs);
    }
    if (steps < 0 || steps > MAX_STEPS) {
      throw new IllegalArgumentException("trainer.steps must be in [1, " + MAX_STEPS + "] or 0, got " + steps);
    }
    if (epochs < 0 || epochs > 1_000_000) {
      throw new IllegalArgumentException("trainer.epochs must be in [1, 1000000] or 0, got " + epochs);
    }
    if (batch < 2 || batch > 65536) {
      throw new IllegalArgumentException("trainer.batch must be in [2, 65536], got " + batch);
    }
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("trainer.threads must be in [1, 256], got " + threads);
    }
    if (checkpointEvery < 1 || checkpointEvery > MAX_STEPS) {
      throw new IllegalArgumentException(
          "trainer.checkpointEvery must be in [1, " + MAX_STEPS + "], got " + checkpointEvery);
    }
    if (runDir == null || runDir.isBlank()) {
      throw new IllegalArgumentException("trainer.runDir must name a directory, got '" + runDir + "'");
    }
    if (encoder == null || loss == null || adam == null || schedule == null || validation == null) {
      throw new IllegalArgumentException("trainer.encoder, trainer.loss, trainer.adam, trainer.schedule"
          + " and trainer.validation must all be set");
    }
    if (!(onlineProbeLr >= 0 && onlineProbeLr <= 1)) {
      throw new IllegalArgumentException(
          "trainer.onlineProbeLr must be in [0, 1] (0 = no online evaluator), got " + onlineProbeLr);
    }
  }

  /** A run with the default validation (each epoch end, no early stopping) and online evaluator. */
  public TrainerConfig(long steps, int epochs, int batch, long seed, int threads, long checkpointEvery,
      String runDir, AmdimConfig encoder, AmdimOptions loss, AdamOptions adam, LearningRateSchedule schedule) {
    this(steps, epochs, batch, seed, threads, checkpointEvery, runDir, encoder, loss, adam, schedule,
        ValidationOptions.defaults(), DEFAULT_ONLINE_PROBE_LR);
  }

  /**
   * A named encoder configuration: "small" ({@link AmdimConfig#small}) or "cifar" ({@link
   * AmdimConfig#publishedCifar}, which is RGB only).
   */
  public static AmdimConfig encoderNamed(String name, int inChannels) {
    return switch (name) {
      case "small" -> AmdimConfig.small(inChannels);
      case "cifar" -> {
        if (inChannels != 3) {
          throw new IllegalArgumentException("trainer.encoder 'cifar' takes 3 channels, got " + inChannels);
        }
        yield AmdimConfig.publishedCifar();
      }
      default -> throw new IllegalArgumentException(
          "trainer.encoder must be 'small' or 'cifar', got '" + name + "'");
    };
  }

  /**
   * Whether a checkpoint written under {@code other} may continue under this configuration: all
   * fields equal except those that do not change the steps' results: the run's length (a finished
   * run may be extended), the run directory's path (a run may be moved) and the augmentation threads.
   */
  public boolean continues(TrainerConfig other) {
    return resultDefining().equals(other.resultDefining());
  }

  private TrainerConfig resultDefining() {
    return new TrainerConfig(1, 0, batch, seed, 1, checkpointEvery, ".", encoder, loss, adam, schedule, validation,
        onlineProbeLr);
  }

  /** This configuration as a JSON tree, the form a checkpoint stores. */
  public JsonNode toJson() {
    return JSON.valueToTree(this);
  }

  /** The inverse of {@link #toJson()}; validates as the constructor does. */
  public static TrainerConfig fromJson(JsonNode json) {
    try {
      return JSON.treeToValue(json, TrainerConfig.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a trainer config: " + e.getOriginalMessage(), e);
    }
  }
}
