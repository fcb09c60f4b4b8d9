package dev.contrastive.core.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The launcher's variables, given as maps: the process's own environment is never read or changed.
 */
class ProcessGroupSpecTest {

    private static final Path RUN = Path.of("/shared/runs/x");

    private static ProcessGroupSpec spec(Map<String, String> env) {
        return ProcessGroupSpec.fromEnvironment(env, RUN).orElseThrow();
    }

    private static String refused(Map<String, String> env) {
        return assertThrows(IllegalArgumentException.class, () -> ProcessGroupSpec.fromEnvironment(env, RUN))
                .getMessage();
    }

    /** A launcher's variables written as a shell sets them, e.g. {@code "RANK=0 WORLD_SIZE=2"}. */
    private static Map<String, String> env(String assignments) {
        Map<String, String> env = new HashMap<>();
        for (String assignment : assignments.split(" ")) {
            int eq = assignment.indexOf('=');
            env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
        }
        return env;
    }

    private static void assertPlace(int rank, int worldSize, int localRank, ProcessGroupSpec s) {
        assertEquals(rank, s.rank());
        assertEquals(worldSize, s.worldSize());
        assertEquals(localRank, s.localRank());
    }

    @Test
    void noLauncherOrAWorldOfOneIsNoGroup() {
        assertEquals(Optional.empty(), ProcessGroupSpec.fromEnvironment(Map.of(), RUN));
        assertEquals(Optional.empty(), ProcessGroupSpec.fromEnvironment(env("RANK=0 WORLD_SIZE=1 LOCAL_RANK=0"), RUN));
        assertEquals(
                Optional.empty(),
                ProcessGroupSpec.fromEnvironment(env("SLURM_NTASKS=1 SLURM_PROCID=0 SLURM_LOCALID=0"), RUN));
    }

    @Test
    void torchrunWithAnIdFile() {
        ProcessGroupSpec s = spec(env("RANK=3 WORLD_SIZE=8 LOCAL_RANK=1 LOCAL_WORLD_SIZE=4"
                + " CONTRASTIVE_NCCL_ID_FILE=/shared/ids/job7 CONTRASTIVE_COLLECTIVE_TIMEOUT_S=90"));
        assertPlace(3, 8, 1, s);
        assertEquals(Path.of("/shared/ids/job7"), s.idFile());
        assertNull(s.ncclCommId());
        assertEquals(Duration.ofSeconds(90), s.timeout());
    }

    @Test
    void torchrunWithNcclsOwnAddress() {
        ProcessGroupSpec s = spec(env("RANK=0 WORLD_SIZE=2 LOCAL_RANK=0 NCCL_COMM_ID=node01:29500"));
        assertEquals("node01:29500", s.ncclCommId());
        assertNull(s.idFile());
        assertEquals(ProcessGroupSpec.DEFAULT_TIMEOUT, s.timeout());
    }

    @Test
    void slurmTaskDefaultsToAnIdFileInTheRunDirectoryPerLaunch() {
        ProcessGroupSpec s = spec(
                env(
                        "SLURM_NTASKS=4 SLURM_PROCID=2 SLURM_LOCALID=0 SLURM_STEP_ID=0 SLURM_JOB_ID=123 SLURM_RESTART_COUNT=1"));
        assertPlace(2, 4, 0, s);
        assertEquals(RUN.resolve(".nccl-id.123.1.0").toAbsolutePath(), s.idFile());
    }

    @Test
    void torchrunWinsOverTheSlurmJobItRunsIn() {
        ProcessGroupSpec s = spec(
                env("RANK=1 WORLD_SIZE=2 LOCAL_RANK=1 SLURM_NTASKS=1 SLURM_PROCID=0 SLURM_LOCALID=0 NCCL_COMM_ID=h:1"));
        assertEquals(1, s.rank());
        assertEquals(2, s.worldSize());
    }

    /** A refused launch; its message starts with (atStart) or else contains the text. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            RANK=0 LOCAL_RANK=0 | true | WORLD_SIZE is not set
            RANK=two WORLD_SIZE=2 LOCAL_RANK=0 | false | RANK='two' is not an integer
            RANK=2 WORLD_SIZE=2 LOCAL_RANK=0 | false | RANK=2 is outside [0, 1] (WORLD_SIZE is 2)
            RANK=0 WORLD_SIZE=0 LOCAL_RANK=0 | true | WORLD_SIZE=0 is outside [1, 65536]
            RANK=1 WORLD_SIZE=4 LOCAL_RANK=2 LOCAL_WORLD_SIZE=2 \
            | false | LOCAL_RANK=2 is outside [0, 2) (LOCAL_WORLD_SIZE is 2)
            SLURM_NTASKS=2 SLURM_PROCID=0 SLURM_LOCALID=x SLURM_STEP_ID=0 SLURM_JOB_ID=9 \
            | false | SLURM_LOCALID='x' is not an integer
            RANK=0 WORLD_SIZE=2 LOCAL_RANK=0 CONTRASTIVE_COLLECTIVE_TIMEOUT_S=0 NCCL_COMM_ID=h:1 \
            | false | CONTRASTIVE_COLLECTIVE_TIMEOUT_S=0 is outside [1, 86400]
            """)
    void messagesNameTheVariable(String launch, boolean atStart, String text) {
        String m = refused(env(launch));
        assertTrue(atStart ? m.startsWith(text) : m.contains(text), m);
    }

    @Test
    void theBatchScriptOfAMultiTaskJobIsNotATask() {
        String m = refused(env("SLURM_NTASKS=4 SLURM_PROCID=0 SLURM_LOCALID=0 SLURM_JOB_ID=9"));
        assertTrue(m.contains("SLURM_STEP_ID is not set") && m.contains("srun"), m);
    }

    @Test
    void theIdNeedsExactlyOneWay() {
        Map<String, String> torchrun = env("RANK=0 WORLD_SIZE=2 LOCAL_RANK=0");
        String m = refused(torchrun);
        assertTrue(m.contains("CONTRASTIVE_NCCL_ID_FILE") && m.contains("NCCL_COMM_ID"), m);
        m = refused(with(torchrun, "CONTRASTIVE_NCCL_ID_FILE", "/a", "NCCL_COMM_ID", "h:1"));
        assertTrue(m.startsWith("both CONTRASTIVE_NCCL_ID_FILE and NCCL_COMM_ID are set"), m);
        m = refused(with(torchrun, "NCCL_COMM_ID", "node01"));
        assertTrue(m.startsWith("NCCL_COMM_ID='node01' is not host:port"), m);
        m = refused(with(torchrun, "CONTRASTIVE_NCCL_ID_FILE", " "));
        assertTrue(m.startsWith("CONTRASTIVE_NCCL_ID_FILE is empty"), m);
        m = refused(env("SLURM_NTASKS=2 SLURM_PROCID=0 SLURM_LOCALID=0 SLURM_STEP_ID=0"));
        assertTrue(m.startsWith("SLURM_JOB_ID is not set"), m);
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> m = new HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
