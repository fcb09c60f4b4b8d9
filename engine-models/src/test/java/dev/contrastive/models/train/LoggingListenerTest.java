package dev.contrastive.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.augment.data.Dataset;
import dev.contrastive.models.method.Method;
import dev.contrastive.models.registry.Methods;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoggingListenerTest {

    @Test
    void anInMemoryRunReportsItsStartEveryStepAndItsEndToTheGivenSink() throws IOException {
        List<String> lines = new ArrayList<>();
        try (Dataset data = TinyRun.trainImages()) {
            TrainerConfig config =
                    TinyRun.builder("simclr", data.info()).steps(3).build();
            try (Method method = Methods.create(config.method(), TinyRun.MODEL_SEED)) {
                new Trainer(config, method, data)
                        .listen(LoggingListener.to(lines::add, Duration.ZERO))
                        .fit();
            }
        }
        assertEquals(5, lines.size(), String.join("\n", lines));
        assertEquals("in memory: steps 1-3", lines.get(0));
        for (int step = 1; step <= 3; step++) {
            assertTrue(
                    lines.get(step).matches("step " + step + "/3  loss \\d+\\.\\d{4}  nce_acc .* steps/s  ETA .*"),
                    lines.get(step));
        }
        assertEquals("done at step 3", lines.get(4));
    }

    @Test
    void aNegativeIntervalOrAMissingSinkIsRefusedNamingTheSetting() {
        assertEquals(
                "loggingListener.every must be >= 0, got PT-1S",
                assertThrows(IllegalArgumentException.class, () -> new LoggingListener(Duration.ofSeconds(-1)))
                        .getMessage());
        assertEquals(
                "loggingListener.lines must not be null",
                assertThrows(IllegalArgumentException.class, () -> LoggingListener.to(null, Duration.ZERO))
                        .getMessage());
    }
}
