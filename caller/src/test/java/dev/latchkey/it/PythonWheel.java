package dev.latchkey.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A pure-Python wheel built here, without setuptools: a zip holding one module whose
 * {@code GREETING} a test can import, and the {@code .dist-info} pip checks (METADATA, WHEEL,
 * and RECORD with each file's sha256).
 */
record PythonWheel(String project, String version, String fileName, byte[] bytes) {
    /** A wheel of {@code project} (e.g. "latchkey-fixture-pkg") whose module's {@code GREETING} is {@code greeting}. */
    static PythonWheel pure(String project, String version, String greeting) {
        String module = moduleOf(project);
        String distInfo = module + "-" + version + ".dist-info";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(module + "/__init__.py", ("GREETING = '" + greeting + "'\n").getBytes(StandardCharsets.UTF_8));
        files.put(distInfo + "/METADATA", ("Metadata-Version: 2.1\nName: " + project + "\nVersion: " + version
                + "\nSummary: a wheel served by latchkey's test index\n").getBytes(StandardCharsets.UTF_8));
        files.put(distInfo + "/WHEEL", "Wheel-Version: 1.0\nGenerator: latchkey-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                .getBytes(StandardCharsets.UTF_8));
        StringBuilder record = new StringBuilder();
        files.forEach((path, content) -> record.append(path).append(",sha256=")
                .append(Base64.getUrlEncoder().withoutPadding().encodeToString(Digests.digest("SHA-256", content)))
                .append(',').append(content.length).append('\n'));
        record.append(distInfo).append("/RECORD,,\n"); // RECORD cannot hold its own hash
        files.put(distInfo + "/RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
        return new PythonWheel(project, version, module + "-" + version + "-py3-none-any.whl", zip(files));
    }

    /** The importable module: the project name with dashes as underscores. */
    String module() {
        return moduleOf(project);
    }

    /** PEP 503's normalised project name, the path segment of {@code /simple/NAME/}. */
    String normalizedProject() {
        return project.replaceAll("[-_.]+", "-").toLowerCase(Locale.ROOT);
    }

    String sha256() {
        return Digests.sha256Hex(bytes);
    }

    private static String moduleOf(String project) {
        return project.replace('-', '_');
    }

    private static byte[] zip(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                ZipEntry entry = new ZipEntry(file.getKey());
                entry.setTime(315532800000L); // 1980-01-01, the zip format's first day: the same bytes every time
                zip.putNextEntry(entry);
                zip.write(file.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
