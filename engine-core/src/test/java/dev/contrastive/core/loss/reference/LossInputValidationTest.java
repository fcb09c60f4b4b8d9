package dev.contrastive.core.loss.reference;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.contrastive.core.kernel.Tiling;
import dev.contrastive.core.loss.AmdimComparison;
import dev.contrastive.core.loss.AmdimLoss;
import dev.contrastive.core.loss.AmdimOptions;
import dev.contrastive.core.loss.CpcLoss;
import dev.contrastive.core.loss.CpcOptions;
import dev.contrastive.core.loss.InfoNceLoss;
import dev.contrastive.core.loss.InfoNceOptions;
import dev.contrastive.core.loss.LossResult;
import dev.contrastive.core.loss.Shard;
import dev.contrastive.core.loss.SourceSampler;
import dev.contrastive.core.loss.YadimLoss;
import dev.contrastive.core.loss.YadimOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bad input fails fast with one IllegalArgumentException whose message names the offending tensor
 * (or option field), its shape (or value) and what was expected: the caller should not have to
 * debug a kernel stack trace or, worse, get a silently wrong loss.
 */
class LossInputValidationTest {

    private static final SourceSampler SAMPLER = SourceSampler.random(1);

    // ----------------------------------------------------------------------------------------
    // InfoNCE

    private final InfoNceLoss infoNce = new InfoNceLoss(InfoNceOptions.defaults());

    @Test
    void infoNceBatchSizesDiffer() {
        assertRejected(() -> infoNce.compute(ones(4, 3), ones(5, 3)), "b", shape(5, 3), "batch");
    }

    @Test
    void infoNceFeatureDimsDiffer() {
        assertRejected(() -> infoNce.compute(ones(4, 3), ones(4, 2)), "b", shape(4, 2), "feature dim");
    }

    @Test
    void infoNceNaN() {
        assertRejected(() -> infoNce.compute(with(ones(3, 2), Float.NaN), ones(3, 2)), "a", shape(3, 2), "NaN");
    }

    @Test
    void infoNceInfinity() {
        assertRejected(
                () -> infoNce.compute(ones(3, 2), with(ones(3, 2), Float.NEGATIVE_INFINITY)),
                "b",
                shape(3, 2),
                "infinite");
    }

    @Test
    void infoNceWrongRank() {
        assertRejected(() -> infoNce.compute(ones(2, 3, 4), ones(2, 3, 4)), "a", shape(2, 3, 4), "rank 2");
    }

    // ------------------------------------------------------------------------------------------
    // AMDIM

    private final AmdimLoss amdim = new AmdimLoss(AmdimOptions.defaults());

    /** A valid pair of views for the paper's comparisons, r1 (B, D), r5 2x2, r7 3x3. */
    private static Map<String, INDArray> view(int batch, int dim) {
        Map<String, INDArray> v = new LinkedHashMap<>();
        v.put("r1", ones(batch, dim));
        v.put("r5", ones(batch, dim, 2, 2));
        v.put("r7", ones(batch, dim, 3, 3));
        return v;
    }

    @Test
    void amdimBatchSizesDifferBetweenViews() {
        Map<String, INDArray> b = view(4, 3);
        b.put("r5", ones(5, 3, 2, 2));
        assertRejected(() -> amdim.compute(view(4, 3), b, SAMPLER), "b_r5", shape(5, 3, 2, 2), "batch");
    }

    @Test
    void amdimFeatureDimsDifferBetweenViews() {
        Map<String, INDArray> b = view(4, 3);
        b.put("r7", ones(4, 5, 3, 3));
        assertRejected(() -> amdim.compute(view(4, 3), b, SAMPLER), "b_r7", shape(4, 5, 3, 3), "a_r7");
    }

    @Test
    void amdimFeatureDimsDifferWithinComparison() {
        Map<String, INDArray> a = view(4, 3);
        Map<String, INDArray> b = view(4, 3);
        a.put("r5", ones(4, 6, 2, 2));
        b.put("r5", ones(4, 6, 2, 2));
        assertRejected(() -> amdim.compute(a, b, SAMPLER), "a_r5", shape(4, 6, 2, 2), "feature dim");
    }

    @Test
    void amdimNaN() {
        Map<String, INDArray> b = view(4, 3);
        b.put("r7", with(ones(4, 3, 3, 3), Float.NaN));
        assertRejected(() -> amdim.compute(view(4, 3), b, SAMPLER), "b_r7", shape(4, 3, 3, 3), "NaN");
    }

    @Test
    void amdimInfinity() {
        Map<String, INDArray> a = view(4, 3);
        a.put("r1", with(ones(4, 3), Float.POSITIVE_INFINITY));
        assertRejected(() -> amdim.compute(a, view(4, 3), SAMPLER), "a_r1", shape(4, 3), "infinite");
    }

    @Test
    void amdimWrongRank() {
        Map<String, INDArray> a = view(4, 3);
        Map<String, INDArray> b = view(4, 3);
        a.put("r5", ones(4, 3, 2, 2, 1));
        b.put("r5", ones(4, 3, 2, 2, 1));
        assertRejected(() -> amdim.compute(a, b, SAMPLER), "a_r5", shape(4, 3, 2, 2, 1), "rank");
    }

    @Test
    void amdimMissingMapForComparison() {
        Map<String, INDArray> b = view(4, 3);
        b.remove("r7");
        // There is no tensor to show a shape of: the message names the map, the view and who needs it.
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> amdim.compute(view(4, 3), b, SAMPLER));
        assertContains(e.getMessage(), "'r7'", "view b", "r1->r7");
    }

    @Test
    void amdimFixedSourceLocationOutOfRange() {
        AmdimLoss fiveToFive =
                new AmdimLoss(AmdimOptions.defaults().withComparisons(List.of(new AmdimComparison("r5", "r5"))));
        SourceSampler fixed =
                SourceSampler.fixed(Map.of("r5_r5_ab", new int[] {0, 4, 0, 0}, "r5_r5_ba", new int[] {0, 0, 0, 0}));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> fiveToFive.compute(view(4, 3), view(4, 3), fixed));
        // r5 is 2x2: locations [0, 4).
        assertContains(e.getMessage(), "r5_r5_ab", "[1] = 4", "[0, 4)");
    }

    static Stream<Arguments> badSamplers() {
        return Stream.of(
                Arguments.of("one past the end", new int[] {0, 4, 0, 0}),
                Arguments.of("negative", new int[] {0, 0, -1, 0}),
                Arguments.of("one entry short", new int[] {0, 0, 0}));
    }

    /**
     * SourceSampler is a public functional interface, so a caller's own sampler can return anything.
     * A location of L or -1 still indexes inside the flattened (B * L, D) map and would silently read
     * a neighbouring image's vector; a short array would score too few images.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badSamplers")
    void amdimCustomSamplerLocationsChecked(String what, int[] locations) {
        AmdimLoss fiveToFive =
                new AmdimLoss(AmdimOptions.defaults().withComparisons(List.of(new AmdimComparison("r5", "r5"))));
        SourceSampler custom = (key, batch, n) -> locations.clone();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> fiveToFive.compute(view(4, 3), view(4, 3), custom).close());
        assertContains(e.getMessage(), "r5_r5_ab");
    }

    // ------------------------------------------------------------------------------------------
    // YADIM

    private final YadimLoss yadim = new YadimLoss(YadimOptions.defaults());

    @Test
    void yadimBatchSizesDiffer() {
        assertRejected(
                () -> yadim.compute(ones(4, 3, 2, 2), ones(3, 3, 2, 2), SAMPLER), "b", shape(3, 3, 2, 2), "shape of a");
    }

    @Test
    void yadimFeatureDimsDiffer() {
        assertRejected(() -> yadim.compute(ones(4, 3), ones(4, 5), SAMPLER), "b", shape(4, 5), "shape of a");
    }

    @Test
    void yadimNaN() {
        assertRejected(() -> yadim.compute(ones(4, 3), with(ones(4, 3), Float.NaN), SAMPLER), "b", shape(4, 3), "NaN");
    }

    @Test
    void yadimWrongRank() {
        assertRejected(
                () -> yadim.compute(ones(4, 3, 2, 2, 1), ones(4, 3, 2, 2, 1), SAMPLER),
                "a",
                shape(4, 3, 2, 2, 1),
                "rank");
    }

    // --------------------------------------------------------------------------------------------
    // CPC

    /** Defaults: offsets k = 2, 3, 4, so H must be at least 5. */
    private final CpcLoss cpc = new CpcLoss(CpcOptions.defaults());

    private static List<INDArray> predictions(int count, long... shape) {
        return Stream.generate(() -> ones(shape)).limit(count).toList();
    }

    @Test
    void cpcGridTooShortForLargestOffset() {
        assertRejected(
                () -> cpc.compute(ones(2, 3, 4, 2), predictions(3, 2, 3, 4, 2)), "targets", shape(2, 3, 4, 2), "H > 4");
    }

    @Test
    void cpcPredictionCountNotStepsToPredict() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> cpc.compute(ones(2, 3, 5, 2), predictions(2, 2, 3, 5, 2)));
        // A list has no shape: the message gives the count found and the count expected.
        assertContains(e.getMessage(), "predictions", "2 maps", "stepsToPredict = 3");
    }

    /** One map of a valid prediction list replaced, the map's name, and what the message must say. */
    static Stream<Arguments> badPredictions() {
        return Stream.of(
                Arguments.of("batch differs", 1, ones(3, 3, 5, 2), "pred_k3", "shape of targets"),
                Arguments.of("feature dim differs", 2, ones(2, 4, 5, 2), "pred_k4", "shape of targets"),
                Arguments.of("NaN", 0, with(ones(2, 3, 5, 2), Float.NaN), "pred_k2", "NaN"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPredictions")
    void cpcBadPredictionIsNamed(String fault, int index, INDArray map, String name, String expectation) {
        List<INDArray> p = new ArrayList<>(predictions(3, 2, 3, 5, 2));
        p.set(index, map);
        assertRejected(() -> cpc.compute(ones(2, 3, 5, 2), p), name, map.shape(), expectation);
    }

    @Test
    void cpcInfinityInTargets() {
        assertRejected(
                () -> cpc.compute(with(ones(2, 3, 5, 2), Float.POSITIVE_INFINITY), predictions(3, 2, 3, 5, 2)),
                "targets",
                shape(2, 3, 5, 2),
                "infinite");
    }

    @Test
    void cpcWrongRank() {
        assertRejected(
                () -> cpc.compute(ones(2, 3, 10), predictions(3, 2, 3, 10)), "targets", shape(2, 3, 10), "rank 4");
    }

    // -----------------------------------------------------------------------------------------
    // shards

    /**
     * Shards that reach past the batch, on every loss (B = 4), and a missing shard: the message names
     * the shard's range and B.
     */
    static Stream<Arguments> shardsOutsideTheBatch() {
        List<Arguments> cases = new ArrayList<>();
        for (Shard shard : List.of(new Shard(0, 5), new Shard(3, 2), new Shard(4, 1))) {
            String range = "[" + shard.start() + ", " + shard.end() + ")";
            cases.add(shardCase(
                    "infonce " + shard,
                    () -> new InfoNceLoss(InfoNceOptions.defaults()).compute(ones(4, 3), ones(4, 3), shard),
                    range));
            cases.add(shardCase(
                    "amdim " + shard,
                    () -> new AmdimLoss(AmdimOptions.defaults()).compute(view(4, 3), view(4, 3), SAMPLER, shard),
                    range));
            cases.add(shardCase(
                    "yadim " + shard,
                    () -> new YadimLoss(YadimOptions.defaults())
                            .compute(ones(4, 3, 2, 2), ones(4, 3, 2, 2), SAMPLER, shard),
                    range));
            cases.add(shardCase(
                    "cpc " + shard,
                    () -> new CpcLoss(CpcOptions.defaults())
                            .compute(ones(4, 3, 5, 2), predictions(3, 4, 3, 5, 2), shard),
                    range));
        }
        cases.add(shardCase(
                "infonce null",
                () -> new InfoNceLoss(InfoNceOptions.defaults()).compute(ones(4, 3), ones(4, 3), null),
                "shard is null"));
        cases.add(shardCase(
                "amdim null",
                () -> new AmdimLoss(AmdimOptions.defaults()).compute(view(4, 3), view(4, 3), SAMPLER, null),
                "shard is null"));
        cases.add(shardCase(
                "yadim null",
                () -> new YadimLoss(YadimOptions.defaults()).compute(ones(4, 3), ones(4, 3), SAMPLER, null),
                "shard is null"));
        cases.add(shardCase(
                "cpc null",
                () -> new CpcLoss(CpcOptions.defaults()).compute(ones(4, 3, 5, 2), predictions(3, 4, 3, 5, 2), null),
                "shard is null"));
        return cases.stream();
    }

    private static Arguments shardCase(String name, Executable call, String what) {
        return Arguments.of(name, call, what);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shardsOutsideTheBatch")
    void shardOutsideTheBatch(String name, Executable call, String what) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertContains(e.getMessage(), what, "B = 4");
    }

    @Test
    void shardOfAnEmptyBatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.all(0));
        assertContains(e.getMessage(), "batch size B", ">= 1", "got 0");
    }

    @Test
    void shardsOfOtherBatchesDoNotCombine() {
        InfoNceLoss loss = new InfoNceLoss(InfoNceOptions.defaults());
        LossResult four = loss.compute(ones(4, 3), ones(4, 3), new Shard(0, 2));
        LossResult five = loss.compute(ones(5, 3), ones(5, 3), new Shard(2, 3));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> LossResult.combine(List.of(four, five)));
        assertContains(e.getMessage(), "shards[1]", "gradient 'a'", "[5, 3]", "[4, 3]");
        assertContains(
                assertThrows(IllegalArgumentException.class, () -> LossResult.combine(List.of()))
                        .getMessage(),
                "at least one");
    }

    // ----------------------------------------------------------------------------------------
    // options

    static Stream<Arguments> badOptions() {
        return Stream.of(
                option(() -> InfoNceOptions.defaults().withTemperature(0), "infonce.temperature", "(0, 1e4]", "0.0"),
                option(
                        () -> InfoNceOptions.defaults().withTemperature(Double.NaN),
                        "infonce.temperature",
                        "(0, 1e4]",
                        "NaN"),
                option(
                        () -> InfoNceOptions.defaults().withTemperature(2e4),
                        "infonce.temperature",
                        "(0, 1e4]",
                        "20000"),
                option(() -> AmdimOptions.defaults().withTclip(0), "amdim.tclip", "(0, 1e4]", "0.0"),
                option(() -> AmdimOptions.defaults().withTclip(1e5), "amdim.tclip", "(0, 1e4]", "100000"),
                option(() -> AmdimOptions.defaults().withRegWeight(-0.1), "amdim.regWeight", "[0, 10]", "-0.1"),
                option(() -> AmdimOptions.defaults().withRegWeight(10.5), "amdim.regWeight", "[0, 10]", "10.5"),
                option(() -> AmdimOptions.defaults().withComparisons(List.of()), "amdim.comparisons", "at least one"),
                option(
                        () -> AmdimOptions.defaults()
                                .withComparisons(
                                        List.of(new AmdimComparison("r1", "r5"), new AmdimComparison("r1", "r5"))),
                        "amdim.comparisons",
                        "repeats"),
                option(() -> new AmdimComparison("r1", "r-5"), "amdim.comparison.target", "letters and digits", "r-5"),
                option(() -> YadimOptions.defaults().withTclip(-1), "yadim.tclip", "(0, 1e4]", "-1.0"),
                option(() -> YadimOptions.defaults().withRegWeight(11), "yadim.regWeight", "[0, 10]", "11.0"),
                option(() -> CpcOptions.defaults().withSteps(0, 3), "cpc.stepsToSkip", "[1, 64]", "0"),
                option(() -> CpcOptions.defaults().withSteps(65, 3), "cpc.stepsToSkip", "[1, 64]", "65"),
                option(() -> CpcOptions.defaults().withSteps(2, 0), "cpc.stepsToPredict", "[1, 64]", "0"),
                option(() -> CpcOptions.defaults().withSteps(2, 65), "cpc.stepsToPredict", "[1, 64]", "65"),
                option(() -> CpcOptions.defaults().withEmbScale(0), "cpc.embScale", "(0, 1e4]", "0.0"),
                option(
                        () -> CpcOptions.defaults().withEmbScale(Double.POSITIVE_INFINITY),
                        "cpc.embScale",
                        "(0, 1e4]",
                        "Infinity"),
                option(() -> new Tiling(0, 8), "tiling.rows", ">= 1", "0"),
                option(() -> new Tiling(8, -2), "tiling.columns", ">= 1", "-2"),
                option(() -> new Shard(-1, 2), "shard.start", ">= 0", "-1"),
                option(() -> new Shard(0, 0), "shard.count", ">= 1", "0"));
    }

    private static Arguments option(Executable build, String field, String... expected) {
        return Arguments.of(field + " " + Arrays.toString(expected), build, field, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOptions")
    void optionOutOfRange(String name, Executable build, String field, String[] expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertContains(e.getMessage(), field);
        assertContains(e.getMessage(), expected);
    }

    // ----------------------------------------------------------------------------------------
    // helpers

    /**
     * The call must throw IllegalArgumentException naming {@code tensor} (as a whole word: "a" must
     * not be found inside "batch"), its shape as Arrays.toString prints it, and each expectation
     * fragment.
     */
    private static void assertRejected(Executable call, String tensor, long[] shape, String... expectation) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        String msg = e.getMessage();
        assertTrue(
                Pattern.compile("(?<![\\w.])" + Pattern.quote(tensor) + "(?!\\w)")
                        .matcher(msg)
                        .find(),
                "message does not name tensor '" + tensor + "': " + msg);
        assertContains(msg, Arrays.toString(shape));
        assertContains(msg, expectation);
    }

    private static void assertContains(String message, String... fragments) {
        for (String f : fragments) {
            assertTrue(
                    message != null && message.toLowerCase(Locale.ROOT).contains(f.toLowerCase(Locale.ROOT)),
                    "message lacks '" + f + "': " + message);
        }
    }

    private static long[] shape(long... s) {
        return s;
    }

    private static INDArray ones(long... shape) {
        return Nd4j.ones(DataType.FLOAT, shape);
    }

    /** {@code x} with its last element replaced by {@code value}. */
    private static INDArray with(INDArray x, float value) {
        x.putScalar(x.length() - 1, value);
        return x;
    }
}
