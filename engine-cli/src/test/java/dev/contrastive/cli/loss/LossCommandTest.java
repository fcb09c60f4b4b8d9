package dev.contrastive.cli.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.cli.CliFixtures;
import dev.contrastive.cli.CliRun;
import dev.contrastive.core.io.Npy;
import dev.contrastive.core.kernel.Tiling;
import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.core.loss.YadimOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import picocli.CommandLine;

class LossCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path in;
    private Path out;

    @BeforeEach
    void createInputDirectory() throws IOException {
        in = Files.createDirectory(dir.resolve("in"));
        out = dir.resolve("out");
        Nd4j.getRandom().setSeed(11);
    }

    @Test
    void infonceWritesReportAndGradientsShapedLikeTheInputs() throws IOException {
        writeViews(4, 8);

        CliRun run = loss("infonce");

        assertEquals(0, run.code(), run.err());
        JsonNode report = report();
        assertEquals("infonce", report.get("type").asText());
        assertEquals(
                report.get("loss").asDouble(), report.get("parts").get("nce").asDouble());
        assertTrue(report.get("meanNegative").isNumber());
        assertEquals(0.1, report.get("options").get("temperature").asDouble());
        assertTrue(report.get("options").get("normalize").asBoolean());
        assertEquals("[4,8]", report.get("inputShapes").get("a").toString());
        assertGradientShapes(Map.of("a", new long[] {4, 8}, "b", new long[] {4, 8}));
    }

    @Test
    void amdimWritesEveryMapsGradientAndTheSampledLocations() throws IOException {
        writeFeatures("a_r1", 3, 6);
        writeFeatures("b_r1", 3, 6);
        for (String view : List.of("a", "b")) {
            writeFeatures(view + "_r5", 3, 6, 5, 5);
            writeFeatures(view + "_r7", 3, 6, 7, 7);
        }

        CliRun run = loss("amdim");

        assertEquals(0, run.code(), run.err());
        JsonNode report = report();
        assertEquals(List.of("r1->r5", "r1->r7", "r5->r5", "reg"), fieldNames(report.get("parts")));
        assertEquals("sampled", report.get("options").get("sourceLocations").asText());
        assertEquals(
                "[\"r1:r5\",\"r1:r7\",\"r5:r5\"]",
                report.get("options").get("comparisons").toString());
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String view : List.of("a", "b")) {
            shapes.put(view + "_r1", new long[] {3, 6});
            shapes.put(view + "_r5", new long[] {3, 6, 5, 5});
            shapes.put(view + "_r7", new long[] {3, 6, 7, 7});
        }
        assertGradientShapes(shapes);
        for (String key : List.of("r5_r5_ab", "r5_r5_ba")) {
            int[] locations = Npy.readIntVector(out.resolve("src_loc_" + key + ".npy"));
            assertEquals(3, locations.length);
            assertTrue(Arrays.stream(locations).allMatch(l -> l >= 0 && l < 25), key);
        }
    }

    @Test
    void yadimWithOneLocationMapsNeedsNoLocations() throws IOException {
        writeViews(2, 5, 1, 1);

        CliRun run = loss("yadim");

        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("last->last", "reg"), fieldNames(report().get("parts")));
        assertEquals("none", report().get("options").get("sourceLocations").asText());
        assertGradientShapes(Map.of("a", new long[] {2, 5, 1, 1}, "b", new long[] {2, 5, 1, 1}));
        assertFalse(Files.exists(out.resolve("src_loc_last_last_ab.npy")));
    }

    @Test
    void yadimWithLargerMapsWritesItsLocations() throws IOException {
        writeViews(2, 5, 3, 3);

        CliRun run = loss("yadim");

        assertEquals(0, run.code(), run.err());
        assertGradientShapes(Map.of("a", new long[] {2, 5, 3, 3}, "b", new long[] {2, 5, 3, 3}));
        assertEquals(2, Npy.readIntVector(out.resolve("src_loc_last_last_ab.npy")).length);
        assertEquals(2, Npy.readIntVector(out.resolve("src_loc_last_last_ba.npy")).length);
    }

    @Test
    void cpcWritesTargetAndPredictionGradients() throws IOException {
        writeFeatures("targets", 2, 4, 6, 3);
        for (int k = 2; k <= 4; k++) {
            writeFeatures("pred_k" + k, 2, 4, 6, 3);
        }

        CliRun run = loss("cpc");

        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("k2", "k3", "k4"), fieldNames(report().get("parts")));
        long[] shape = {2, 4, 6, 3};
        assertGradientShapes(Map.of("targets", shape, "pred_k2", shape, "pred_k3", shape, "pred_k4", shape));
    }

    @Test
    void optionsGivenReachTheLoss() throws IOException {
        INDArray a = writeFeatures("a", 5, 7);
        INDArray b = writeFeatures("b", 5, 7);

        CliRun run = loss("infonce", "--temperature", "0.5", "--no-normalize", "--tile-rows", "3", "--tile-cols", "4");

        assertEquals(0, run.code(), run.err());
        InfoNceOptions expected = new InfoNceOptions(0.5, false, new Tiling(3, 4));
        try (LossResult direct = new InfoNceLoss(expected).compute(a, b)) {
            assertClose(direct.loss(), report().get("loss").asDouble());
            assertEquals(direct.gradient("a"), Npy.readArray(out.resolve("grad_a.npy")));
        }
        JsonNode options = report().get("options");
        assertEquals(0.5, options.get("temperature").asDouble());
        assertFalse(options.get("normalize").asBoolean());
        assertEquals(3, options.get("tileRows").asInt());
        assertEquals(4, options.get("tileCols").asInt());
    }

    @Test
    void amdimAndCpcOptionsReachTheLoss() throws IOException {
        Map<String, INDArray> viewA = new LinkedHashMap<>();
        Map<String, INDArray> viewB = new LinkedHashMap<>();
        viewA.put("r1", writeFeatures("a_r1", 3, 4));
        viewB.put("r1", writeFeatures("b_r1", 3, 4));
        viewA.put("r5", writeFeatures("a_r5", 3, 4, 2, 2));
        viewB.put("r5", writeFeatures("b_r5", 3, 4, 2, 2));
        INDArray targets = writeFeatures("targets", 2, 3, 4, 2);
        List<INDArray> predictions =
                List.of(writeFeatures("pred_k1", 2, 3, 4, 2), writeFeatures("pred_k2", 2, 3, 4, 2));

        CliRun amdim =
                loss("amdim", "--comparisons", "r1:r5,r5:r5", "--tclip", "2.5", "--reg-weight", "0.2", "--seed", "9");
        double amdimLoss = report().get("loss").asDouble();
        CliRun cpc = loss("cpc", "--steps-to-skip", "1", "--steps-to-predict", "2", "--emb-scale", "0.7");

        assertEquals(0, amdim.code(), amdim.err());
        assertEquals(0, cpc.code(), cpc.err());
        AmdimOptions amdimOptions = new AmdimOptions(
                2.5, 0.2, List.of(new AmdimComparison("r1", "r5"), new AmdimComparison("r5", "r5")), Tiling.DEFAULT);
        try (LossResult direct = new AmdimLoss(amdimOptions).compute(viewA, viewB, SourceSampler.random(9))) {
            assertClose(direct.loss(), amdimLoss);
        }
        try (LossResult direct = new CpcLoss(new CpcOptions(1, 2, 0.7, Tiling.DEFAULT)).compute(targets, predictions)) {
            assertClose(direct.loss(), report().get("loss").asDouble());
        }
    }

    @Test
    void givenLocationsAreUsedAndWrittenBack() throws IOException {
        CliRun run = yadimOn3x4x2x2(new int[] {3, 0, 2}, new int[] {1, 1, 0});

        assertEquals(0, run.code(), run.err());
        assertEquals("given", report().get("options").get("sourceLocations").asText());
        assertArrayEquals(new int[] {3, 0, 2}, Npy.readIntVector(out.resolve("src_loc_last_last_ab.npy")));
        assertArrayEquals(new int[] {1, 1, 0}, Npy.readIntVector(out.resolve("src_loc_last_last_ba.npy")));
    }

    @Test
    void sampledLocationsWrittenToOutReproduceTheRunWhenGivenBack() throws IOException {
        writeViews(3, 4, 3, 3);
        loss("yadim", "--seed", "5");
        double sampled = report().get("loss").asDouble();
        for (String key : List.of("ab", "ba")) {
            String file = "src_loc_last_last_" + key + ".npy";
            Files.copy(out.resolve(file), in.resolve(file));
        }

        CliRun run = loss("yadim");

        assertEquals(0, run.code(), run.err());
        assertEquals("given", report().get("options").get("sourceLocations").asText());
        assertClose(sampled, report().get("loss").asDouble());
    }

    @Test
    void someButNotAllLocationsGivenNamesTheMissingFile() throws IOException {
        writeViews(3, 4, 2, 2);
        writeYadimLocations("ab", 3, 0, 2);

        CliRun run = loss("yadim");

        assertBadInput(run, "src_loc_last_last_ba.npy is missing from " + in);
        assertBadInput(run, "int32/int64 (B) locations");
    }

    @Test
    void locationsThatNoSampledSourceUsesAreRejected() throws IOException {
        writeViews(3, 4);
        writeYadimLocations("ab", 0, 0, 0);

        CliRun run = loss("yadim");

        assertBadInput(run, "src_loc_last_last_ab.npy in " + in + " is not used");
    }

    @Test
    void locationsOutOfRangeAreBadInput() throws IOException {
        CliRun run = yadimOn3x4x2x2(new int[] {0, 4, 0}, new int[] {0, 0, 0});

        assertBadInput(run, "'last_last_ab'[1] = 4, expected in [0, 4)");
    }

    @Test
    void missingInputFileNamesTheFileAndWhatItHolds() throws IOException {
        writeFeatures("a", 4, 8);

        CliRun run = loss("infonce");

        assertBadInput(run, "b.npy is missing from " + in + ": it should hold view B's features (B, D)");
        assertFalse(Files.exists(out), "nothing is written for bad input");
    }

    @Test
    void missingPredictionNamesItsOffset() throws IOException {
        writeFeatures("targets", 2, 4, 6, 3);
        writeFeatures("pred_k2", 2, 4, 6, 3);

        CliRun run = loss("cpc");

        assertBadInput(run, "pred_k3.npy is missing from " + in);
        assertBadInput(run, "row offset k = 3");
    }

    @Test
    void wrongRankNamesTheFileAndItsShape() throws IOException {
        writeFeatures("a", 4, 8, 2);
        writeFeatures("b", 4, 8);

        CliRun run = loss("infonce");

        assertBadInput(run, "a.npy has shape [4, 8, 2] (rank 3), expected view A's features (B, D)");
    }

    @Test
    void nanInputNamesTheTensor() throws IOException {
        writeFeatures("a_r1", 3, 4);
        writeFeatures("b_r1", 3, 4);
        writeFeatures("a_r5", 3, 4, 2, 2);
        INDArray poisoned = Nd4j.randn(DataType.FLOAT, 3, 4, 2, 2);
        poisoned.putScalar(new long[] {1, 2, 0, 1}, Float.NaN);
        Npy.write(in.resolve("b_r5.npy"), poisoned);

        CliRun run = loss("amdim", "--comparisons", "r1:r5");

        assertBadInput(run, "b_r5 with shape [3, 4, 2, 2] has 1 NaN and 0 infinite values");
    }

    @Test
    void malformedNpyFileIsBadInput() throws IOException {
        writeFeatures("a", 4, 8);
        Files.write(in.resolve("b.npy"), new byte[] {'P', 'K', 3, 4});

        CliRun run = loss("infonce");

        assertBadInput(run, in.resolve("b.npy") + ": wrong magic at byte 0");
    }

    @Test
    void optionValuesOutsideTheirRangeAreBadInput() throws IOException {
        writeViews(4, 8);

        CliRun temperature = loss("infonce", "--temperature", "0");
        CliRun tiles = loss("infonce", "--tile-rows", "0");
        CliRun comparison = loss("amdim", "--comparisons", "r1-r5");

        assertBadInput(temperature, "infonce.temperature must be in (0, 1e4], got 0.0");
        assertBadInput(tiles, "tiling.rows must be >= 1, got 0");
        assertBadInput(comparison, "amdim comparison 'r1-r5' must look like SOURCE:TARGET");
    }

    @Test
    void optionsOfAnotherLossTypeAreRejected() throws IOException {
        writeViews(4, 8);

        CliRun run = loss("infonce", "--tclip", "5");

        assertBadInput(run, "--tclip does not apply to --type infonce, only to [amdim, yadim]");
    }

    @Test
    void unknownTypeIsAUsageError() {
        CliRun run = loss("simclr");

        assertEquals(2, run.code());
        assertTrue(run.err().contains("expected one of infonce, amdim, cpc, yadim, got 'simclr'"));
    }

    @Test
    void singleImageBatchWritesNaNMeanNegativeAsNull() throws IOException {
        writeViews(1, 8);

        CliRun run = loss("infonce");

        assertEquals(0, run.code(), run.err());
        assertTrue(report().get("meanNegative").isNull());
        assertEquals(1.0, report().get("accuracy").asDouble());
    }

    @Test
    void outputsOfAnEarlierRunAreReplaced() throws IOException {
        writeViews(4, 8);
        writeOut(Map.of("grad_a_r5.npy", "stale", "src_loc_r5_r5_ab.npy", "stale", "loss.json", "stale"));

        CliRun run = loss("infonce");

        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("grad_a.npy", "grad_b.npy", "loss.json"), CliFixtures.fileNames(out));
        assertEquals("infonce", report().get("type").asText());
        assertEquals(List.of("in", "out"), CliFixtures.fileNames(dir), "no temporary or previous directory left");
    }

    @Test
    void anOutputDirectoryHoldingOtherFilesIsRefusedAndLeftAlone() throws IOException {
        writeViews(4, 8);
        writeOut(Map.of("loss.json", "earlier", "notes.txt", "mine"));

        CliRun notes = loss("infonce");
        CliRun intoInputs = execute("--type", "infonce", "--in", in.toString(), "--out", in.toString());

        assertBadInput(
                notes,
                "--out " + out + " holds notes.txt, which this command does not write; --out is replaced as a whole");
        assertBadInput(intoInputs, "--out " + in + " holds a.npy, b.npy, which this command");
        assertEquals(List.of("loss.json", "notes.txt"), CliFixtures.fileNames(out));
        assertEquals("earlier", Files.readString(out.resolve("loss.json")));
        assertEquals(List.of("a.npy", "b.npy"), CliFixtures.fileNames(in));
    }

    @Test
    void scoresThatOverflowFailWithExitTwoAndWriteNothing() throws IOException {
        // Raw float32 features of norm ~1e20: every score overflows to infinity, the loss is NaN.
        Npy.write(in.resolve("a.npy"), Nd4j.randn(DataType.FLOAT, 4, 8).muli(1e19));
        Npy.write(in.resolve("b.npy"), Nd4j.randn(DataType.FLOAT, 4, 8).muli(1e19));
        writeOut(Map.of("loss.json", "earlier"));

        CliRun raw = loss("infonce", "--no-normalize");

        assertBadInput(raw, "loss: the infonce loss is not finite, its scores overflowed float32: ");
        assertTrue(raw.err().contains("the loss is NaN"), raw.err());
        assertTrue(raw.err().contains("grad_a.npy would hold 32 of 32 values NaN or infinite"), raw.err());
        assertTrue(
                raw.err()
                        .contains("; score L2-normalised features (drop --no-normalize) or"
                                + " scale the inputs down. Nothing was written to --out "
                                + out),
                raw.err());
        assertEquals(List.of("loss.json"), CliFixtures.fileNames(out));
        assertEquals("earlier", Files.readString(out.resolve("loss.json")));
        assertEquals(List.of("in", "out"), CliFixtures.fileNames(dir));

        // The same features normalised are fine.
        CliRun normalised = loss("infonce");
        assertEquals(0, normalised.code(), normalised.err());
    }

    @Test
    void outputThatCannotBeCreatedExitsWithTwoNamingIt() throws IOException {
        writeViews(4, 8);
        Path file = Files.writeString(dir.resolve("file"), "x");

        CliRun run = execute(
                "--type",
                "infonce",
                "--in",
                in.toString(),
                "--out",
                file.resolve("out").toString());

        // Like a full disk or a read-only directory: the user's to fix, one line naming the path.
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().startsWith("loss: cannot create " + file), run.err());
    }

    @Test
    void usageHelpDocumentsFilesAndTheLossesDefaults() {
        StringWriter help = new StringWriter();
        // Wide enough that no description wraps inside a default value.
        new CommandLine(new LossCommand()).setUsageHelpWidth(300).usage(new PrintWriter(help));
        String text = help.toString();

        for (String file : List.of(
                "a_<map>.npy",
                "targets.npy",
                "pred_k<k>.npy",
                "src_loc_<src>_<trg>_<ab|ba>.npy",
                "loss.json",
                "grad_<name>.npy")) {
            assertTrue(text.contains(file), file);
        }
        AmdimOptions amdim = AmdimOptions.defaults();
        YadimOptions yadim = YadimOptions.defaults();
        CpcOptions cpc = CpcOptions.defaults();
        assertEquals(amdim.tclip(), yadim.tclip(), "--tclip documents one default for both");
        assertEquals(amdim.regWeight(), yadim.regWeight(), "--reg-weight documents one default");
        String comparisons = String.join(
                ",",
                amdim.comparisons().stream()
                        .map(c -> c.source() + ":" + c.target())
                        .toList());
        for (String documented : List.of(
                "default " + InfoNceOptions.defaults().temperature() + ".",
                "default " + amdim.tclip() + ".",
                "default " + amdim.regWeight() + ".",
                "default " + comparisons + ".",
                "default " + cpc.stepsToSkip() + ".",
                "default " + cpc.stepsToPredict() + ".",
                "default " + cpc.embScale() + ".",
                "default " + Tiling.DEFAULT.rows() + ".",
                "default " + Tiling.DEFAULT.columns() + ".")) {
            assertTrue(text.contains(documented), () -> "'" + documented + "' not in usage:\n" + text);
        }
    }

    private INDArray writeFeatures(String name, long... shape) throws IOException {
        INDArray x = Nd4j.randn(DataType.FLOAT, shape);
        Npy.write(in.resolve(name + ".npy"), x);
        return x;
    }

    /** Runs the command on this test's --in and --out. */
    /** View A's and view B's features, a.npy and b.npy, of one shape. */
    private void writeViews(long... shape) throws IOException {
        writeFeatures("a", shape);
        writeFeatures("b", shape);
    }

    /** Given locations of YADIM's comparison, one way (ab or ba). */
    private void writeYadimLocations(String way, int... locations) throws IOException {
        Npy.writeInts(in.resolve("src_loc_last_last_" + way + ".npy"), locations);
    }

    /** YADIM on (3, 4, 2, 2) views with both ways' locations given. */
    private CliRun yadimOn3x4x2x2(int[] ab, int[] ba) throws IOException {
        writeViews(3, 4, 2, 2);
        writeYadimLocations("ab", ab);
        writeYadimLocations("ba", ba);
        return loss("yadim");
    }

    /** An --out directory that an earlier run or the user left, file name to content. */
    private void writeOut(Map<String, String> files) throws IOException {
        Files.createDirectories(out);
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(out.resolve(file.getKey()), file.getValue());
        }
    }

    private CliRun loss(String type, String... options) {
        List<String> args = new ArrayList<>(List.of("--type", type, "--in", in.toString(), "--out", out.toString()));
        args.addAll(List.of(options));
        return execute(args.toArray(String[]::new));
    }

    private CliRun execute(String... args) {
        return CliRun.of(new CommandLine(new LossCommand()), args);
    }

    private JsonNode report() throws IOException {
        return JSON.readTree(out.resolve("loss.json").toFile());
    }

    private void assertGradientShapes(Map<String, long[]> expected) throws IOException {
        List<String> written;
        try (Stream<Path> files = Files.list(out)) {
            written = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith("grad_"))
                    .sorted()
                    .toList();
        }
        assertEquals(
                expected.keySet().stream()
                        .map(n -> "grad_" + n + ".npy")
                        .sorted()
                        .toList(),
                written);
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            INDArray gradient = Npy.readArray(out.resolve("grad_" + e.getKey() + ".npy"));
            assertArrayEquals(e.getValue(), gradient.shape(), e.getKey());
            assertEquals(DataType.FLOAT, gradient.dataType(), e.getKey());
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Same inputs, same options: equal up to the order native reductions happen to sum in. */
    private static void assertClose(double expected, double actual) {
        assertEquals(expected, actual, 1e-9 * Math.abs(expected));
    }

    private static void assertBadInput(CliRun run, String expected) {
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains(expected), () -> "'" + expected + "' not in: " + run.err());
        assertEquals(1, run.err().strip().lines().count(), "one line, no stack trace: " + run.err());
    }
}
