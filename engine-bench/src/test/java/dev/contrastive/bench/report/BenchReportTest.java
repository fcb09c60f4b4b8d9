package dev.contrastive.bench.report;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.kernel.Tiling;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

class BenchReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode result(String benchmark, String params, double ms, String unit) {
        ObjectNode n = JSON.createObjectNode();
        n.put("benchmark", "dev.contrastive.bench." + benchmark);
        n.put("mode", "avgt");
        n.put("jmhVersion", "1.37");
        n.put("forks", 1);
        n.put("vmName", "OpenJDK 64-Bit Server VM");
        n.put("vmVersion", "17");
        n.put("jdkVersion", "17");
        n.putArray("jvmArgs").add("-Xmx2g");
        ObjectNode p = n.putObject("params");
        if (!params.isEmpty()) {
            String[] kv = params.split("=");
            p.put(kv[0], kv[1]);
        }
        ObjectNode metric = n.putObject("primaryMetric");
        metric.put("score", ms);
        metric.put("scoreError", ms / 10);
        metric.put("scoreUnit", unit);
        metric.putArray("rawData").addArray().add(ms * 1.5).add(ms * 0.9).add(ms * 1.2);
        return n;
    }

    private static String render(JsonNode root) {
        return BenchReport.render(
                root,
                new BenchReport.Provenance(
                        "loss.json",
                        "scripts/bench-loss.sh",
                        "java ...",
                        Instant.parse("2026-01-02T03:04:05Z"),
                        "test CPU",
                        "before 0.1, after 0.2"));
    }

    @Test
    void ratiosCompareFusedWithEachMethodOfTheSameShape() {
        ArrayNode root = JSON.createArrayNode();
        root.add(result("LossBenchmark.infoNceFused", "batch=256", 10, "ms/op"));
        root.add(result("LossBenchmark.infoNceFusedNd4j", "batch=256", 12, "ms/op"));
        root.add(result("LossBenchmark.infoNceMaterialized", "batch=256", 40, "ms/op"));
        root.add(result("LossBenchmark.infoNceTorch", "batch=256", 8, "ms/op"));
        root.add(result("LossBenchmark.infoNceTorchMatmul", "batch=256", 2, "ms/op"));
        root.add(result("LossBenchmark.infoNceSgemm", "batch=256", 5, "ms/op"));
        root.add(result("LossBenchmark.infoNceFused", "batch=1024", 100, "ms/op"));
        String md = render(root);
        assertTrue(
                md.contains("| InfoNCE | batch = 256 | 10.0 | 12.0 | 40.0 | 8.00 | 2.00 | 5.00 | 1.25 | 0.25 | 50% |"),
                md);
        assertTrue(md.contains("| InfoNCE | batch = 1024 | 100 | — | — | — | — | — | — | — | — |"), md);
        assertTrue(md.contains("| materialized | 40.0 | 4.00 | 36.0 | 4.00 |"), md);
        assertTrue(md.contains("2026-01-02T03:04:05"), md);
    }

    private static ObjectNode tile(int rows, int columns, double ms) {
        ObjectNode n = result("TileBenchmark.infoNce", "rows=" + rows, ms, "ms/op");
        ((ObjectNode) n.get("params")).put("columns", Integer.toString(columns));
        return n;
    }

    @Test
    void tileGridMarksTheLowestMeanAndJudgesTheDefaultByOverlap() {
        ArrayNode root = JSON.createArrayNode();
        root.add(tile(64, 1024, 30));
        root.add(tile(64, 8192, 20));
        root.add(tile(Tiling.DEFAULT.rows(), Tiling.DEFAULT.columns(), 21));
        String md = render(root);
        assertTrue(md.contains("| 64 | 30.0 ± 3.00 (27.0) | **20.0 ± 2.00 (18.0)** |"), md);
        assertTrue(md.contains("Lowest mean: rows = 64, columns = 8192, 20.0 ± 2.00 ms."), md);
        assertTrue(md.contains("within the noise of the lowest"), md);

        ((ObjectNode) root.get(2).get("primaryMetric")).put("score", 40.0);
        assertTrue(render(root).contains("significantly slower"));
    }

    @Test
    void refusesOtherUnits() {
        ArrayNode root = JSON.createArrayNode();
        root.add(result("LossBenchmark.cpcFused", "", 3, "ops/s"));
        assertThrows(IllegalArgumentException.class, () -> render(root));
    }
}
