package dev.contrastive.models.train;

import dev.contrastive.augment.transform.Presets;
import dev.contrastive.models.method.MethodConfig;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.optim.AdamOptions;
import dev.contrastive.models.train.optim.LearningRateSchedule;
import java.util.Objects;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect.Visibility;
import org.nd4j.shade.jackson.annotation.JsonPropertyOrder;
import org.nd4j.shade.jackson.annotation.JsonSubTypes;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.annotation.JsonDeserialize;
import org.nd4j.shade.jackson.databind.annotation.JsonPOJOBuilder;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Everything that fixes a training run's result: the method and its configs, the augmentation
 * preset, the run's length, the batch, the seed, the optimiser and its schedule, validation and the
 * online evaluator. Stored in every checkpoint, so that a resume refuses a run trained under
 * another configuration and evaluation rebuilds the method and its preprocessing from the
 * checkpoint alone.
 *
 * <p>Made with {@link #builder(MethodConfig)}, every setting named, each validated where it is set
 * (the message names the setting and its range). Immutable.
 */
public final class TrainerConfig {

    /**
     * The online evaluator's default step size: 1e-3 reaches a plateau within an epoch of the subset.
     */
    public static final double DEFAULT_ONLINE_PROBE_LR = 1e-3;

    private static final long MAX_STEPS = 1_000_000_000L;

    /** Adds the type tag a sealed schedule needs in JSON, without annotating the optim package. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = LearningRateSchedule.Constant.class, name = "constant"),
        @JsonSubTypes.Type(value = LearningRateSchedule.WarmUp.class, name = "warmUp"),
        @JsonSubTypes.Type(value = LearningRateSchedule.StepDecay.class, name = "stepDecay"),
        @JsonSubTypes.Type(value = LearningRateSchedule.Cosine.class, name = "cosine")
    })
    private interface ScheduleTypes {}

    /** Writes Adam's options as an object of their fields and reads them back through the builder. */
    @JsonDeserialize(builder = AdamOptions.Builder.class)
    @JsonAutoDetect(
            fieldVisibility = Visibility.ANY,
            getterVisibility = Visibility.NONE,
            isGetterVisibility = Visibility.NONE)
    @JsonPropertyOrder({"lr", "beta1", "beta2", "eps", "weightDecay", "decoupled", "maxGradNorm"})
    private interface AdamJson {}

    @JsonPOJOBuilder(withPrefix = "")
    private interface AdamBuilderJson {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .addMixIn(LearningRateSchedule.class, ScheduleTypes.class)
            .addMixIn(AdamOptions.class, AdamJson.class)
            .addMixIn(AdamOptions.Builder.class, AdamBuilderJson.class);

    private final MethodConfig method;
    private final String preset;
    private final long steps;
    private final int epochs;
    private final int batch;
    private final long seed;
    private final int augmentThreads;
    private final int replicas;
    private final int microBatch;
    private final long checkpointEvery;
    private final AdamOptions adam;
    private final LearningRateSchedule schedule;
    private final ValidationOptions validation;
    private final double onlineProbeLr;

    private TrainerConfig(Builder b) {
        this.method = b.method;
        this.preset = b.preset;
        this.steps = b.steps;
        this.epochs = b.epochs;
        this.batch = b.batch;
        this.seed = b.seed;
        this.augmentThreads = b.augmentThreads;
        this.replicas = b.replicas;
        this.microBatch = b.microBatch;
        this.checkpointEvery = b.checkpointEvery;
        this.adam = b.adam;
        this.schedule = b.schedule;
        this.validation = b.validation;
        this.onlineProbeLr = b.onlineProbeLr;
    }

    /**
     * A builder with the defaults: 300 steps of 128 images, seed 1, Adam at lr 3e-3 with AMDIM's
     * betas and weight decay, 50 warm-up steps then constant, a checkpoint every 100 steps,
     * validation at each epoch end, the online evaluator on. The preset must be set: the method's
     * registry entry names a default for the data ({@code Methods.get(name).defaultPreset(data)}).
     */
    public static Builder builder(MethodConfig method) {
        return new Builder(method);
    }

    /** A builder holding this configuration's settings, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder(method);
        b.preset = preset;
        b.steps = steps;
        b.epochs = epochs;
        b.batch = batch;
        b.seed = seed;
        b.augmentThreads = augmentThreads;
        b.replicas = replicas;
        b.microBatch = microBatch;
        b.checkpointEvery = checkpointEvery;
        b.adam = adam;
        b.schedule = schedule;
        b.validation = validation;
        b.onlineProbeLr = onlineProbeLr;
        return b;
    }

    /** The method and its hyper-parameters. */
    public MethodConfig method() {
        return method;
    }

    /** The augmentation preset's name ({@code augment.transform.Presets}). */
    public String preset() {
        return preset;
    }

    /** Optimiser steps in the run; 0 when {@link #epochs()} sets the length. */
    public long steps() {
        return steps;
    }

    /** Whole epochs in the run; 0 when {@link #steps()} sets the length. */
    public int epochs() {
        return epochs;
    }

    /** Images per step. */
    public int batch() {
        return batch;
    }

    /** Seed of the data order, the augmentations and the loss's random choices. */
    public long seed() {
        return seed;
    }

    /** Augmentation worker threads; the batches are the same for any value. */
    public int augmentThreads() {
        return augmentThreads;
    }

    /**
     * In-process replicas the global batch is split across ({@code models.parallel.DataParallel}):
     * each encodes {@code batch / replicas} images and scores its anchors against the whole gathered
     * batch. 1 trains in the calling thread. Batch norm keeps per-replica statistics, as in the
     * published methods.
     */
    public int replicas() {
        return replicas;
    }

    /**
     * Images each replica encodes at once when it splits its share of the batch in time (gradient
     * caching); 0 when it encodes its share in one piece. Batch norm sees micro-batch statistics.
     */
    public int microBatch() {
        return microBatch;
    }

    /** Steps between checkpoints in a run directory; one is also written at the end. */
    public long checkpointEvery() {
        return checkpointEvery;
    }

    /** The optimiser, whose {@code lr} is the run's learning rate. */
    public AdamOptions adam() {
        return adam;
    }

    /** The learning rate's shape over the run, as factors of {@code adam().lr()}. */
    public LearningRateSchedule schedule() {
        return schedule;
    }

    /** The rate of update {@code step} (from 1): {@code adam().lr() * schedule().factor(step)}. */
    public double learningRate(long step) {
        return adam.lr() * schedule.factor(step);
    }

    /** When to validate and whether to stop early. */
    public ValidationOptions validation() {
        return validation;
    }

    /** Adam step size of the online evaluator; 0 when it is off. */
    public double onlineProbeLr() {
        return onlineProbeLr;
    }

    /**
     * Whether a checkpoint written under {@code other} may continue under this configuration: all
     * settings equal except those that do not change the steps' results: the run's length (a finished
     * run may be extended), the augmentation threads, and how the batch is split across replicas and
     * micro-batches (the same global batch and loss; only batch norm's statistics are per split).
     */
    public boolean continues(TrainerConfig other) {
        return resultDefining().equals(other.resultDefining());
    }

    private TrainerConfig resultDefining() {
        return toBuilder().steps(1).augmentThreads(1).split(1, 0).build();
    }

    /** This configuration as a JSON tree, the form a checkpoint stores. */
    public JsonNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.set("method", Methods.toJson(method));
        n.put("preset", preset);
        n.put("steps", steps);
        n.put("epochs", epochs);
        n.put("batch", batch);
        n.put("seed", seed);
        n.put("augmentThreads", augmentThreads);
        n.put("replicas", replicas);
        n.put("microBatch", microBatch);
        n.put("checkpointEvery", checkpointEvery);
        n.set("adam", JSON.valueToTree(adam));
        n.set("schedule", JSON.valueToTree(schedule));
        n.set("validation", JSON.valueToTree(validation));
        n.put("onlineProbeLr", onlineProbeLr);
        return n;
    }

    /**
     * The inverse of {@link #toJson()}; validates as the builder does.
     *
     * @throws IllegalArgumentException naming the missing or malformed setting
     */
    public static TrainerConfig fromJson(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("not a trainer config: expected a JSON object, got " + json);
        }
        try {
            Builder b = builder(Methods.fromJson(required(json, "method")));
            b.preset(required(json, "preset").asText());
            long steps = required(json, "steps").asLong();
            int epochs = required(json, "epochs").asInt();
            if (steps > 0 && epochs == 0) {
                b.steps(steps);
            } else if (epochs > 0 && steps == 0) {
                b.epochs(epochs);
            } else {
                throw new IllegalArgumentException("not a trainer config: exactly one of steps and epochs must be"
                        + " > 0, got steps="
                        + steps
                        + ", epochs="
                        + epochs);
            }
            return b.batch(required(json, "batch").asInt())
                    .seed(required(json, "seed").asLong())
                    .augmentThreads(required(json, "augmentThreads").asInt())
                    // Checkpoints from before data parallelism have neither: one replica, no micro-batches.
                    .split(
                            json.path("replicas").asInt(1),
                            json.path("microBatch").asInt(0))
                    .checkpointEvery(required(json, "checkpointEvery").asLong())
                    .adam(JSON.treeToValue(required(json, "adam"), AdamOptions.class))
                    .schedule(JSON.treeToValue(required(json, "schedule"), LearningRateSchedule.class))
                    .validation(JSON.treeToValue(required(json, "validation"), ValidationOptions.class))
                    .onlineProbeLr(required(json, "onlineProbeLr").asDouble())
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a trainer config: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode required(JsonNode json, String field) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("not a trainer config: '" + field + "' is missing");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainerConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return toJson().toString();
    }

    /**
     * Collects the settings, each checked as it is set; {@link #steps} and {@link #epochs} replace
     * each other.
     */
    public static final class Builder {
        private final MethodConfig method;
        private String preset;
        private long steps = 300;
        private int epochs;
        private int batch = 128;
        private long seed = 1;
        private int augmentThreads = 1;
        private int replicas = 1;
        private int microBatch;
        private long checkpointEvery = 100;
        private AdamOptions adam = AdamOptions.amdim().withLr(3e-3);
        private LearningRateSchedule schedule = new LearningRateSchedule.WarmUp(50, LearningRateSchedule.constant());
        private ValidationOptions validation = ValidationOptions.defaults();
        private double onlineProbeLr = DEFAULT_ONLINE_PROBE_LR;

        private Builder(MethodConfig method) {
            if (method == null) {
                throw new IllegalArgumentException("trainer.method must be set");
            }
            this.method = method;
        }

        /** The augmentation preset, by name. */
        public Builder preset(String name) {
            Presets.byName(name);
            this.preset = name;
            return this;
        }

        /** A run of {@code n} optimiser steps, in [1, 10^9]. */
        public Builder steps(long n) {
            if (n < 1 || n > MAX_STEPS) {
                throw new IllegalArgumentException("trainer.steps must be in [1, " + MAX_STEPS + "], got " + n);
            }
            this.steps = n;
            this.epochs = 0;
            return this;
        }

        /** A run of {@code n} whole epochs, in [1, 10^6]. */
        public Builder epochs(int n) {
            if (n < 1 || n > 1_000_000) {
                throw new IllegalArgumentException("trainer.epochs must be in [1, 1000000], got " + n);
            }
            this.epochs = n;
            this.steps = 0;
            return this;
        }

        /** Images per step, in [2, 65536] (the NCE needs at least one negative). */
        public Builder batch(int n) {
            if (n < 2 || n > 65536) {
                throw new IllegalArgumentException("trainer.batch must be in [2, 65536], got " + n);
            }
            this.batch = n;
            return this;
        }

        /** Seed of the data order, the augmentations and the loss's random choices. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Augmentation worker threads, in [1, 256]. */
        public Builder augmentThreads(int n) {
            if (n < 1 || n > 256) {
                throw new IllegalArgumentException("trainer.augmentThreads must be in [1, 256], got " + n);
            }
            this.augmentThreads = n;
            return this;
        }

        /**
         * The batch split: {@code replicas} in [1, 64] in-process replicas, each encoding its share in
         * micro-batches of {@code microBatch} images (0: in one piece). {@link #build()} checks that
         * they divide the batch.
         */
        public Builder split(int replicas, int microBatch) {
            if (replicas < 1 || replicas > 64) {
                throw new IllegalArgumentException("trainer.replicas must be in [1, 64], got " + replicas);
            }
            if (microBatch < 0 || microBatch > 65536) {
                throw new IllegalArgumentException(
                        "trainer.microBatch must be in [1, 65536], or 0 for no micro-batches, got " + microBatch);
            }
            this.replicas = replicas;
            this.microBatch = microBatch;
            return this;
        }

        /** Steps between checkpoints, in [1, 10^9]. */
        public Builder checkpointEvery(long n) {
            if (n < 1 || n > MAX_STEPS) {
                throw new IllegalArgumentException(
                        "trainer.checkpointEvery must be in [1, " + MAX_STEPS + "], got " + n);
            }
            this.checkpointEvery = n;
            return this;
        }

        /** The optimiser; its {@code lr} is the run's learning rate. */
        public Builder adam(AdamOptions a) {
            this.adam = Objects.requireNonNull(a, "trainer.adam");
            return this;
        }

        /** Shorthand for {@code adam(adam.withLr(lr))}. */
        public Builder lr(double lr) {
            return adam(adam.withLr(lr));
        }

        /** The learning rate's shape over the run. */
        public Builder schedule(LearningRateSchedule s) {
            this.schedule = Objects.requireNonNull(s, "trainer.schedule");
            return this;
        }

        public Builder validation(ValidationOptions v) {
            this.validation = Objects.requireNonNull(v, "trainer.validation");
            return this;
        }

        /** Adam step size of the online evaluator on the probe features, in [0, 1]; 0 turns it off. */
        public Builder onlineProbeLr(double lr) {
            if (!(lr >= 0 && lr <= 1)) {
                throw new IllegalArgumentException(
                        "trainer.onlineProbeLr must be in [0, 1] (0 = no online evaluator), got " + lr);
            }
            this.onlineProbeLr = lr;
            return this;
        }

        public TrainerConfig build() {
            if (preset == null) {
                throw new IllegalArgumentException("trainer.preset must be set (the method's default for the data is"
                        + " Methods.get(\""
                        + method.method()
                        + "\").defaultPreset(data))");
            }
            if (batch % replicas != 0) {
                throw new IllegalArgumentException("trainer.batch of "
                        + batch
                        + " does not divide among trainer.replicas = "
                        + replicas
                        + ": use a batch that is a multiple of "
                        + replicas);
            }
            int share = batch / replicas;
            if (microBatch > 0 && share % microBatch != 0) {
                throw new IllegalArgumentException("trainer.microBatch of "
                        + microBatch
                        + " does not divide each replica's "
                        + share
                        + " images (trainer.batch "
                        + batch
                        + " / trainer.replicas "
                        + replicas
                        + ")");
            }
            return new TrainerConfig(this);
        }
    }
}
