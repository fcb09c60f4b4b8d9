package dev.contrastive.core.parallel.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.contrastive.core.kernel.cuda.CudaDevice;
import dev.contrastive.core.parallel.CollectiveException;
import dev.contrastive.core.parallel.ProcessGroupSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * On a CUDA node: a communicator of one process, through the id file as rank 0 of a job makes it,
 * runs every collective with InProcessGroup's semantics. Several processes:
 * scripts/gpu/nccl_check.sh. Skips where no GPU backend loads.
 */
class NcclCollectivesTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void requireGpu() {
        CudaDevice.assumePresent();
    }

    @Test
    void aWorldOfOneRunsEveryCollective() throws Exception {
        Path id = dir.resolve(".nccl-id.test");
        try (NcclCollectives c = NcclCollectives.open(new ProcessGroupSpec(0, 1, 0, id, null, Duration.ofMinutes(1)))) {
            assertFalse(Files.exists(id), "rank 0 deletes the id file once every rank has joined");
            assertEquals(0, c.rank());
            assertEquals(1, c.size());
            NcclCheck.verify(c);
        }
    }

    @Test
    void anAbortedCommunicatorRefusesFurtherCalls() throws Exception {
        NcclCollectives c = NcclCollectives.open(
                new ProcessGroupSpec(0, 1, 0, dir.resolve(".nccl-id.abort"), null, Duration.ofMinutes(1)));
        c.abort(new IllegalStateException("test"));
        CollectiveException e =
                assertThrows(CollectiveException.class, () -> c.allReduceSum(Nd4j.ones(DataType.FLOAT, 3)));
        assertEquals(-1, e.failedReplica());
        c.close();
    }
}
