package dev.latchkey.client;

import dev.latchkey.protocol.Secret;
import org.junit.jupiter.api.Test;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The usage example in {@link LatchkeyClient}'s Javadoc compiles as it stands, and docs/protocol.md shows the same one. */
class UsageExampleTest {
    private static final Path SOURCE = Path.of("src/main/java/dev/latchkey/client/LatchkeyClient.java");
    private static final Path PROTOCOL_DOC = Path.of("../docs/protocol.md");

    @Test
    void theJavadocExampleCompilesAgainstTheLibrary(@org.junit.jupiter.api.io.TempDir Path out) throws Exception {
        String example = javadocExample();
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "the tests run on a JDK");
        DiagnosticCollector<JavaFileObject> problems = new DiagnosticCollector<>();
        String classPath = classesOf(LatchkeyClient.class) + File.pathSeparator + classesOf(Secret.class);
        try (StandardJavaFileManager files = compiler.getStandardFileManager(problems, null, null)) {
            JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///Publisher.java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return example;
                }
            };
            boolean compiled = compiler.getTask(null, files, problems,
                    List.of("-classpath", classPath, "-d", out.toString(), "-Xlint:all", "-Werror"), null, List.of(unit)).call();
            assertTrue(compiled, () -> "the example does not compile:\n" + problems.getDiagnostics() + "\n" + example);
        }
        assertTrue(Files.isRegularFile(out.resolve("Publisher.class")));
    }

    @Test
    void theProtocolDocShowsTheSameExample() throws Exception {
        String doc = Files.readString(PROTOCOL_DOC);
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(block.find(), "docs/protocol.md has a ```java block");
        assertEquals(javadocExample(), block.group(1), "docs/protocol.md's client example and LatchkeyClient's Javadoc differ");
    }

    /** The text between {@code <pre>{@code} and <code>}</pre></code>, without the comment's leading {@code " * "}. */
    private static String javadocExample() throws Exception {
        String source = Files.readString(SOURCE);
        int start = source.indexOf("<pre>{@code\n");
        int end = source.indexOf("}</pre>", start);
        assertTrue(start >= 0 && end > start, "LatchkeyClient's Javadoc has a <pre>{@code ...}</pre> example");
        StringBuilder example = new StringBuilder();
        for (String line : source.substring(start + "<pre>{@code\n".length(), end).split("\n")) {
            example.append(line.replaceFirst("^\\s*\\* ?", "")).append('\n');
        }
        return example.toString().stripTrailing() + "\n";
    }

    private static String classesOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
