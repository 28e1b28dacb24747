package dev.latchkey.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything the README, the docs, the man page, the scripts and the code cite is in the
 * repository: every docs/ file named anywhere, and every relative link of a Markdown page, exists;
 * and nothing cites the product contract that lived outside the repository (its sections were
 * named "SPEC" and a section sign).
 */
class DocumentReferencesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** A docs page named in plain text: in a comment, a message, a script, another page. */
    private static final Pattern DOCS_FILE = Pattern.compile("docs/(?:man/latchkey\\.1|[a-z0-9-]+\\.md)");
    /** A Markdown link to a file, relative to the page: [text](path) or [text](path#anchor). */
    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)#:\\s]+)(?:#[^)]*)?\\)");
    /** Built here so that this file does not hold what it looks for. */
    private static final String OUTSIDE_CONTRACT = "SPEC " + '\u00a7';

    @Test
    void everyDocsFileNamedAnywhereExists() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path file : textFiles()) {
            Matcher named = DOCS_FILE.matcher(read(file));
            while (named.find()) {
                if (!Files.isRegularFile(ROOT.resolve(named.group()))) {
                    missing.add(ROOT.relativize(file) + " names " + named.group());
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void everyRelativeLinkOfAPageLeadsToAFile() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        assertTrue(pages.size() > 5, "the docs are where this test looks: " + pages);
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            Matcher link = MARKDOWN_LINK.matcher(Files.readString(page));
            while (link.find()) {
                if (!Files.exists(page.getParent().resolve(link.group(1)))) {
                    broken.add(ROOT.relativize(page) + " links to " + link.group(1));
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void nothingCitesTheContractThatIsNotInTheRepository() throws IOException {
        List<String> citing = new ArrayList<>();
        for (Path file : textFiles()) {
            if (read(file).contains(OUTSIDE_CONTRACT)) {
                citing.add(ROOT.relativize(file).toString());
            }
        }
        assertEquals(List.of(), citing);
    }

    /** The README, the docs, the scripts, the platform files and every module's sources. */
    private static List<Path> textFiles() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        for (String tree : List.of("docs", "scripts", "native-config", "protocol/src", "client/src", "daemon/src", "caller/src",
                "bench/src")) {
            Path dir = ROOT.resolve(tree);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile).filter(p -> !p.toString().contains("FuzzTestInputs")).forEach(files::add);
            }
        }
        return files;
    }

    /** A file's text; a file that is not UTF-8 text (a binary fixture) holds no reference. */
    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (MalformedInputException e) {
            return "";
        }
    }
}
