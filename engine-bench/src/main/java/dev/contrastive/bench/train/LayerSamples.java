package dev.contrastive.bench.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Samples one thread's stacks with Java Flight Recorder while a workload runs, and charges each
 * sample to the innermost frame of a layer class ({@code dev.contrastive.models.nn}, or the encoder
 * itself for its tap additions): the in-situ share of every layer kind and direction.
 */
final class LayerSamples {

    private static final String NN = "dev.contrastive.models.nn.";
    private static final String ENCODER = "dev.contrastive.models.encoder.";

    /** Dispatch-only frames: their samples belong to the layer they call. */
    private static final List<String> PASS_THROUGH = List.of(NN + "Sequential", NN + "Channels", NN + "Arena");

    private LayerSamples() {}

    /** Records {@code workload} on this thread and prints the share of each layer kind. */
    static void print(Runnable workload) {
        Map<String, Integer> counts = new TreeMap<>();
        int total = 0;
        try {
            Path file = Files.createTempFile("encoder-profile", ".jfr");
            try (Recording r = new Recording()) {
                r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
                r.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(1));
                r.start();
                workload.run();
                r.stop();
                r.dump(file);
            }
            long thread = Thread.currentThread().getId();
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (e.getThread("sampledThread") == null
                        || e.getThread("sampledThread").getJavaThreadId() != thread
                        || e.getStackTrace() == null) {
                    continue;
                }
                counts.merge(layerOf(e.getStackTrace().getFrames()), 1, Integer::sum);
                total++;
            }
            Files.delete(file);
        } catch (IOException e) {
            throw new IllegalStateException("flight recording failed: " + e.getMessage(), e);
        }
        System.out.printf(Locale.ROOT, "%nencoder forward+backward, %d samples of the calling thread:%n", total);
        System.out.println("| layer.direction | share |");
        System.out.println("|---|---:|");
        int n = total;
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .forEach(
                        c -> System.out.printf(Locale.ROOT, "| %s | %.1f%% |%n", c.getKey(), 100.0 * c.getValue() / n));
    }

    private static String layerOf(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String type = f.getMethod().getType().getName();
            boolean layer = type.startsWith(NN) || type.startsWith(ENCODER);
            if (layer && PASS_THROUGH.stream().noneMatch(type::startsWith)) {
                return type.substring(type.lastIndexOf('.') + 1) + "."
                        + f.getMethod().getName();
            }
        }
        return "outside the layers";
    }
}
