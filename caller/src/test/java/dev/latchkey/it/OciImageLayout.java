package dev.latchkey.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A one-layer OCI image layout written here, without network or engine: {@code oci-layout},
 * {@code index.json} naming the manifest by its tag, and the layer, config and manifest under
 * {@code blobs/sha256/}. skopeo pushes it as {@code oci:DIR:TAG}. The same content gives the same
 * digests, so a test can tell the registry holds exactly this image.
 */
record OciImageLayout(Path directory, String tag, String manifestDigest, String layerDigest) {
    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

    /** Writes a layout into {@code directory} whose one layer holds {@code hello.txt} with {@code greeting}. */
    static OciImageLayout write(Path directory, String tag, String greeting) throws IOException {
        Path blobs = Files.createDirectories(directory.resolve("blobs/sha256"));
        byte[] tar = TarArchive.of(Map.of("hello.txt", greeting.getBytes(StandardCharsets.UTF_8)));
        byte[] layer = TarArchive.gzip(tar);
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", List.of("sha256:" + Digests.sha256Hex(tar)));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("config", Map.of());
        config.put("rootfs", rootfs);
        byte[] configBytes = json(config);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2L);
        manifest.put("mediaType", MANIFEST_TYPE);
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", blob(blobs, configBytes), configBytes));
        String layerDigest = blob(blobs, layer);
        manifest.put("layers", List.of(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layerDigest, layer)));
        byte[] manifestBytes = json(manifest);
        String manifestDigest = blob(blobs, manifestBytes);

        Map<String, Object> entry = descriptor(MANIFEST_TYPE, manifestDigest, manifestBytes);
        entry.put("annotations", Map.of("org.opencontainers.image.ref.name", tag));
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2L);
        index.put("manifests", List.of(entry));
        Files.write(directory.resolve("index.json"), json(index));
        Files.write(directory.resolve("oci-layout"), json(Map.of("imageLayoutVersion", "1.0.0")));
        return new OciImageLayout(directory, tag, manifestDigest, layerDigest);
    }

    /** The layout as skopeo names it: {@code oci:DIR:TAG}. */
    String reference() {
        return "oci:" + directory + ":" + tag;
    }

    private static Map<String, Object> descriptor(String mediaType, String digest, byte[] content) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", digest);
        descriptor.put("size", (long) content.length);
        return descriptor;
    }

    private static String blob(Path blobs, byte[] content) throws IOException {
        String hex = Digests.sha256Hex(content);
        Files.write(blobs.resolve(hex), content);
        return "sha256:" + hex;
    }

    private static byte[] json(Object value) {
        return JsonValues.write(value).getBytes(StandardCharsets.UTF_8);
    }
}
