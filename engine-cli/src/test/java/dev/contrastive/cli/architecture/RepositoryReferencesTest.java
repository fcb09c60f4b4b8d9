package dev.contrastive.cli.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every file that the docs and the code cite is in the repository: markdown links, and repository
 * paths written in source, scripts and POMs (docs/..., scripts/..., engine-core/src/...). The
 * project stands on its own files, so a moved or deleted file must take its citations with it.
 */
class RepositoryReferencesTest {

    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    /** A repository path in running text: a top-level folder of this repository, then a file name. */
    private static final Pattern REPOSITORY_PATH = Pattern.compile(
            "(?<![\\w./-])((?:docs|scripts|bench-results|examples|engine-(?:bom|core|augment|models|cli|bench))"
                    + "/[\\w./-]*\\w\\.(?:md|sh|py|java|cpp|cu|h|xml|json|yaml|png|sbatch))(?![\\w/])");

    /**
     * Files of the workplace the project was started in, which a user of the repository does not have
     * (written as a pattern so that this file does not cite them itself).
     */
    private static final Pattern OUTSIDE_THE_PROJECT = Pattern.compile("\\.\\./shared|MISSION\\.md|LOSS_SPEC\\.md");

    private static final Set<String> TEXT =
            Set.of("md", "java", "sh", "py", "xml", "cpp", "cu", "h", "sbatch", "yaml", "properties");
    private static final Set<String> SKIPPED_DIRECTORIES =
            Set.of("target", ".git", ".mvn", "runs", "data", "node_modules", "__pycache__", ".idea");

    @Test
    void everyCitedFileExists() throws IOException {
        Path root = repositoryRoot();
        List<String> missing = new ArrayList<>();
        List<Path> files = textFiles(root);
        assertTrue(files.size() > 100, "found only " + files.size() + " text files under " + root);
        for (Path file : files) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (file.toString().endsWith(".md")) {
                Matcher link = MARKDOWN_LINK.matcher(text);
                while (link.find()) {
                    String target = link.group(1).replaceFirst("#.*", "");
                    if (!target.isEmpty()
                            && !target.matches("[a-z]+:.*")
                            && !Files.exists(file.resolveSibling(target))) {
                        missing.add(root.relativize(file) + ": link " + link.group(1));
                    }
                }
            }
            Matcher path = REPOSITORY_PATH.matcher(text);
            while (path.find()) {
                String cited = path.group(1);
                if (!cited.contains("/target/") && !Files.exists(root.resolve(cited))) {
                    missing.add(root.relativize(file) + ": " + cited);
                }
            }
            Matcher outside = OUTSIDE_THE_PROJECT.matcher(text);
            while (outside.find()) {
                missing.add(
                        root.relativize(file) + ": cites " + outside.group() + ", which is not part of the project");
            }
        }
        assertEquals(List.of(), missing, "citations of files that are not in the repository");
    }

    private static List<Path> textFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> {
                        for (Path part : root.relativize(p)) {
                            if (SKIPPED_DIRECTORIES.contains(part.toString())) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .filter(Files::isRegularFile)
                    .filter(p -> TEXT.contains(extension(p)) || p.endsWith(Path.of(".ci", "run")))
                    .toList();
        }
    }

    private static String extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1);
    }

    /** The checkout this module lies in: the folder above engine-cli that holds the Maven wrapper. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("engine-core")))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "no repository root above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
