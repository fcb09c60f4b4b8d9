package dev.contrastive.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.models.encoder.AmdimConfig;
import dev.contrastive.models.encoder.EncoderFixtures;
import dev.contrastive.models.encoder.ProbeTaps;
import dev.contrastive.models.eval.EvaluationReport;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.method.amdim.AmdimMethodConfig;
import dev.contrastive.models.method.cpc.CpcMethodConfig;
import dev.contrastive.models.registry.Methods;
import dev.contrastive.models.train.optim.AdamOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Checkpoints, trainer configs and eval.json written by an earlier engine
 * (src/test/resources/legacy, whose README says how): files on users' disks keep loading, and what
 * is written now is what was written then.
 */
class LegacyFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"amdim", "cpc", "yadim", "simclr"})
    void aTrainerConfigWrittenBeforeReadsBackAndWritesTheSameJson(String method) throws IOException {
        String written = new String(resource("trainer-config-" + method + ".json"), StandardCharsets.UTF_8).strip();
        assertEquals(
                written, TrainerConfig.fromJson(JSON.readTree(written)).toJson().toString());
    }

    @Test
    void checkpointsWrittenBeforeLoadWithTheirConfigs() throws IOException {
        AdamOptions adam = AdamOptions.builder()
                .lr(3e-3)
                .beta1(0.85)
                .beta2(0.995)
                .eps(1e-7)
                .weightDecay(2e-5)
                .decoupled(true)
                .maxGradNorm(1.5)
                .build();
        try (TrainedModel amdim = TrainedModel.load(copy("amdim-ckpt-000000001.bin"))) {
            // Written when R1 alone was AMDIM's default probe: the checkpoint keeps the probe it trained
            // with.
            AmdimConfig encoder = EncoderFixtures.amdim(32, 1, 1, 4, 1, true);
            assertEquals(
                    AmdimMethodConfig.of(encoder).withProbe(ProbeTaps.R1),
                    amdim.config().method());
            assertEquals(adam, amdim.config().adam());
            assertEquals(1, amdim.step());
        }
        try (TrainedModel cpc = TrainedModel.load(copy("cpc-ckpt-000000001.bin"))) {
            assertEquals(
                    CpcMethodConfig.of(EncoderFixtures.cpc32(1, 1, 1, 1).build()),
                    cpc.config().method());
            assertEquals(adam, cpc.config().adam());
        }
    }

    @Test
    void aRunCheckpointedBeforeResumes() throws IOException {
        Path runDir = Files.createDirectories(tmp.resolve("run"));
        Path checkpoint = runDir.resolve("ckpt-000000001.bin");
        Files.write(checkpoint, resource("amdim-ckpt-000000001.bin"));
        TrainerConfig config;
        try (TrainedModel old = TrainedModel.load(checkpoint)) {
            config = old.config().toBuilder().steps(2).build();
        }
        try (Dataset data = TinyRun.strided(TinyRun.trainImages(), 16);
                Method model = Methods.create(config.method(), 3)) {
            TrainingResult result = new Trainer(config, model, data)
                    .inDirectory(runDir, Trainer.RunMode.RESUME)
                    .fit();
            assertEquals(2, result.steps());
        }
    }

    @Test
    void anEvalJsonWrittenBeforeReadsBackAndWritesTheSameJson() throws IOException {
        Path file = copy("eval.json");
        assertEquals(
                Files.readString(file).strip(),
                EvaluationReport.readJson(file).toJson().strip());
    }

    private Path copy(String name) throws IOException {
        return Files.write(tmp.resolve(name), resource(name));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = LegacyFormatsTest.class.getResourceAsStream("/legacy/" + name)) {
            if (in == null) {
                throw new IOException("no test resource legacy/" + name);
            }
            return in.readAllBytes();
        }
    }
}
