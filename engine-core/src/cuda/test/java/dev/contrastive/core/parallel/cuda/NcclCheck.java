package dev.contrastive.core.parallel.cuda;

import dev.contrastive.core.parallel.Collectives;
import dev.contrastive.core.parallel.ProcessGroupSpec;
import dev.contrastive.core.parallel.ProcessGroups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Every collective with operands that depend on the rank, checked against the values {@link
 * dev.contrastive.core.parallel.InProcessGroup}'s semantics give (small integers, so float sums are
 * exact). {@link #main} is one process of scripts/gpu/nccl_check.sh: it joins the group its
 * launcher's variables describe (a world of one when there are none) as the trainer does.
 */
final class NcclCheck {

    private NcclCheck() {}

    /** Runs the checks; throws AssertionError naming the operation that disagrees. */
    static void verify(Collectives c) {
        int n = c.size();
        int r = c.rank();
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray gathered = c.allGather(local(type, r));
            expect("allGather " + type, gathered.shape(), new long[] {2L * n, 3});
            for (int p = 0; p < n; p++) {
                expect(
                        "allGather " + type + " rows of rank " + p,
                        gathered.get(NDArrayIndex.interval(2L * p, 2L * p + 2)).toDoubleVector(),
                        local(DataType.DOUBLE, p).toDoubleVector());
            }
        }
        INDArray full =
                Nd4j.arange(6L * n).addi(1).muli(r + 1).castTo(DataType.FLOAT).reshape(2L * n, 3);
        INDArray own = c.reduceScatter(full);
        double[] want =
                Nd4j.arange(6L * r, 6L * r + 6).addi(1).muli(n * (n + 1) / 2.0).toDoubleVector();
        expect("reduceScatter", own.shape(), new long[] {2, 3});
        expect("reduceScatter", own.toDoubleVector(), want);

        INDArray buffer = Nd4j.valueArrayOf(new long[] {5}, r + 1.0, DataType.FLOAT);
        c.allReduceSum(buffer);
        expect("allReduceSum", buffer.toDoubleVector(), filled(5, n * (n + 1) / 2.0));
        INDArray matrix = Nd4j.valueArrayOf(new long[] {4, 3}, r + 1.0, DataType.FLOAT);
        INDArray column = matrix.getColumn(1);
        c.allReduceSum(column);
        expect("allReduceSum of a strided view", matrix.getColumn(1).toDoubleVector(), filled(4, n * (n + 1) / 2.0));
        expect(
                "allReduceSum leaves the rest of a view's array",
                matrix.getColumn(0).toDoubleVector(),
                filled(4, r + 1.0));
        expect("allReduceSum of doubles", c.allReduceSum(new double[] {r, 1}), new double[] {n * (n - 1) / 2.0, n});

        INDArray b = Nd4j.valueArrayOf(new long[] {2, 2}, r, DataType.FLOAT);
        c.broadcast(b, n - 1);
        expect("broadcast from rank " + (n - 1), b.toDoubleVector(), filled(4, n - 1));
        c.barrier();
    }

    /** Rank p's operand of allGather: 2 x 3, p * 100 + i. */
    private static INDArray local(DataType type, int p) {
        return Nd4j.arange(6).addi(100.0 * p).castTo(type).reshape(2, 3);
    }

    private static double[] filled(int length, double value) {
        double[] d = new double[length];
        Arrays.fill(d, value);
        return d;
    }

    private static void expect(String what, long[] got, long[] want) {
        if (!Arrays.equals(got, want)) {
            throw new AssertionError(what + ": shape " + Arrays.toString(got) + ", want " + Arrays.toString(want));
        }
    }

    private static void expect(String what, double[] got, double[] want) {
        if (!Arrays.equals(got, want)) {
            throw new AssertionError(what + ": " + Arrays.toString(got) + ", want " + Arrays.toString(want));
        }
    }

    public static void main(String[] args) throws Exception {
        // Under srun without CONTRASTIVE_NCCL_ID_FILE the id file defaults to the working directory,
        // which every node sees when it is the repository on the shared filesystem.
        Optional<ProcessGroupSpec> launched =
                ProcessGroupSpec.fromEnvironment(System.getenv(), Path.of("").toAbsolutePath());
        Path alone = launched.isPresent() ? null : Files.createTempDirectory("nccl-check");
        ProcessGroupSpec spec = launched.orElseGet(
                () -> new ProcessGroupSpec(0, 1, 0, alone.resolve("id"), null, Duration.ofMinutes(2)));
        try (ProcessGroups.Group group = ProcessGroups.open(spec)) {
            verify(group);
            System.out.printf(
                    "nccl_check: rank %d of %d (local rank %d, GPU %s): allGather, reduceScatter,"
                            + " allReduceSum, broadcast and barrier agree%n",
                    spec.rank(),
                    spec.worldSize(),
                    spec.localRank(),
                    System.getenv().getOrDefault("CUDA_VISIBLE_DEVICES", "0"));
        } catch (RuntimeException | AssertionError e) {
            System.err.println("nccl_check: rank " + spec.rank() + " of " + spec.worldSize() + " FAILED: " + e);
            e.printStackTrace();
            System.exit(1);
        } finally {
            if (alone != null) {
                Files.deleteIfExists(alone);
            }
        }
    }
}
